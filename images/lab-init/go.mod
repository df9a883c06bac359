module lab/images/lab-init

go 1.24
