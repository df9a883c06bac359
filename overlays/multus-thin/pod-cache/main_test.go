package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A fake API server: LIST answers two pods (items without kind, as the real one sends them),
// WATCH sends an ADDED and a DELETED event and ends; anything else says where it landed.
func fakeAPIServer(t *testing.T, node string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/pods" {
			if got := r.URL.Query().Get("fieldSelector"); got != "spec.nodeName="+node {
				t.Errorf("fieldSelector = %q", got)
			}
			if r.URL.Query().Get("watch") == "1" {
				if got := r.URL.Query().Get("resourceVersion"); got != "10" {
					t.Errorf("watch from %q, want the list's 10", got)
				}
				fmt.Fprintln(w, `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"c","namespace":"default","resourceVersion":"11"}}}`)
				fmt.Fprintln(w, `{"type":"DELETED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"default","resourceVersion":"12"}}}`)
				// Hold the stream open, as the real one does, until the client goes.
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				return
			}
			fmt.Fprint(w, `{"kind":"PodList","metadata":{"resourceVersion":"10"},"items":[`+
				`{"metadata":{"name":"a","namespace":"default","uid":"u-a"}},`+
				`{"metadata":{"name":"b","namespace":"kube-system","uid":"u-b"}}]}`)
			return
		}
		t.Errorf("unexpected request to the API server: %s %s", r.Method, r.URL)
	}))
}

func TestServesNodePodsFromMemoryAndPassesTheRestThrough(t *testing.T) {
	api := fakeAPIServer(t, "vm-002")
	defer api.Close()
	cache := newPodCache()
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream %s %s", r.Method, r.URL.Path)
	})
	front := httptest.NewServer(handler(cache, upstream))
	defer front.Close()
	get := func(method, path string) (int, string) {
		request, _ := http.NewRequest(method, front.URL+path, nil)
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			t.Fatal(err)
		}
		defer response.Body.Close()
		body, _ := io.ReadAll(response.Body)
		return response.StatusCode, string(body)
	}

	if code, _ := get("GET", "/lab/synced"); code != http.StatusServiceUnavailable {
		t.Fatalf("synced before any LIST: %d", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go (&syncer{client: http.DefaultClient, server: api.URL, node: "vm-002", cache: cache}).run(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := cache.get("default", "c"); ok {
			if _, stillThere := cache.get("default", "a"); !stillThere {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the watch events never reached the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, _ := get("GET", "/lab/synced"); code != http.StatusOK {
		t.Fatalf("synced after the LIST: %d", code)
	}

	code, body := get("GET", "/api/v1/namespaces/kube-system/pods/b")
	var pod map[string]any
	if err := json.Unmarshal([]byte(body), &pod); code != 200 || err != nil {
		t.Fatalf("cached pod b: %d %q %v", code, body, err)
	}
	if pod["kind"] != "Pod" || pod["apiVersion"] != "v1" || pod["metadata"].(map[string]any)["uid"] != "u-b" {
		t.Fatalf("cached pod b lacks kind/apiVersion or its fields: %v", pod)
	}
	if _, body := get("GET", "/api/v1/namespaces/default/pods/c"); !strings.Contains(body, `"name":"c"`) {
		t.Fatalf("pod c from the watch: %q", body)
	}
	// Deleted from the cache, and pods of other nodes, go to the API server.
	if _, body := get("GET", "/api/v1/namespaces/default/pods/a"); body != "upstream GET /api/v1/namespaces/default/pods/a" {
		t.Fatalf("pod a after DELETED: %q", body)
	}
	for _, path := range []string{"/api/v1/namespaces/default/pods/c/status", "/apis/k8s.cni.cncf.io/v1/namespaces/default/network-attachment-definitions/ipvlan"} {
		if _, body := get("GET", path); body != "upstream GET "+path {
			t.Fatalf("%s: %q", path, body)
		}
	}
	if _, body := get("PUT", "/api/v1/namespaces/default/pods/c"); !strings.HasPrefix(body, "upstream PUT") {
		t.Fatalf("PUT of a cached pod went to the cache: %q", body)
	}
}

func TestPodJSONAddsKindAndKeepsFields(t *testing.T) {
	key, version, pod, err := podJSON(json.RawMessage(`{"metadata":{"name":"p","namespace":"n","resourceVersion":"7"},"spec":{"nodeName":"vm-001"}}`))
	if err != nil || key != "n/p" || version != "7" {
		t.Fatalf("key %q version %q err %v", key, version, err)
	}
	if !strings.Contains(string(pod), `"kind":"Pod"`) || !strings.Contains(string(pod), `"nodeName":"vm-001"`) {
		t.Fatalf("pod JSON: %s", pod)
	}
	if _, _, _, err := podJSON(json.RawMessage(`[1]`)); err == nil {
		t.Fatal("a non-object must be an error")
	}
}
