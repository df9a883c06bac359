// pod-cache: the API server for multus on one node, with this node's pods answered from
// memory. multus (the thin plugin) gives its pod lookup 250 ms per request and 2.5 s in all
// (upstream constants); a Kubernetes control plane under TCG often needs longer, and then
// every pod's sandbox fails until a retry is lucky. pod-cache keeps this node's pods current
// with LIST + WATCH and answers GET pod at once; everything else (NADs, the pod's network
// status, events) goes through to the API server over one kept-alive TLS connection, with the
// same least-privilege identity (lab:multus). It listens on 127.0.0.1 only.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"time"
)

func main() {
	server := flag.String("server", "", "API server URL, e.g. https://192.168.1.1:6443")
	caFile := flag.String("ca", "/etc/kubernetes/pki/ca.crt", "CA of the API server")
	certFile := flag.String("cert", "/etc/kubernetes/pki/multus.crt", "client certificate")
	keyFile := flag.String("key", "/etc/kubernetes/pki/multus.key", "client key")
	node := flag.String("node", "", "this node's name (default: the hostname)")
	listen := flag.String("listen", "127.0.0.1:8001", "where to serve")
	flag.Parse()
	if *node == "" {
		*node, _ = os.Hostname()
	}
	upstream, err := url.Parse(*server)
	if err != nil || upstream.Host == "" {
		log.Fatalf("-server: a URL such as https://192.168.1.1:6443 is needed (got %q)", *server)
	}
	transport, err := tlsTransport(*caFile, *certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	cache := newPodCache()
	go (&syncer{client: &http.Client{Transport: transport}, server: *server, node: *node, cache: cache}).run(context.Background())
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.Transport = transport
	proxy.FlushInterval = -1 // watches stream through
	log.Printf("pod-cache for node %s on %s, API server %s", *node, *listen, *server)
	log.Fatal(http.ListenAndServe(*listen, handler(cache, proxy)))
}

func tlsTransport(caFile, certFile, keyFile string) (*http.Transport, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s: no PEM certificate", caFile)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     10 * time.Minute,
	}, nil
}

var podPath = regexp.MustCompile(`^/api/v1/namespaces/([^/]+)/pods/([^/]+)$`)

// handler answers GET of a cached pod from memory and passes everything else through.
func handler(cache *podCache, upstream http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lab/synced" {
			if cache.isSynced() {
				w.WriteHeader(http.StatusOK)
			} else {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return
		}
		if match := podPath.FindStringSubmatch(r.URL.Path); match != nil && r.Method == http.MethodGet && r.URL.Query().Get("watch") == "" {
			if pod, ok := cache.get(match[1], match[2]); ok {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(pod)
				return
			}
			// A miss costs multus a round trip it rarely has time for: say so in the log.
			log.Printf("pod cache: %s/%s not cached (synced %v); asking the API server", match[1], match[2], cache.isSynced())
		}
		upstream.ServeHTTP(w, r)
	})
}
