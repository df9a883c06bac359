module lab.invalid/build/multus

go 1.25.0

require gopkg.in/k8snetworkplumbingwg/multus-cni.v4 v4.3.0
