package main

// The pods of this node, kept up to date by LIST + WATCH on the API server, served as the
// API server would serve GET /api/v1/namespaces/NS/pods/NAME.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

type podCache struct {
	mu     sync.RWMutex
	pods   map[string][]byte // "ns/name" -> the pod as JSON, kind and apiVersion set
	synced bool
}

func newPodCache() *podCache { return &podCache{pods: map[string][]byte{}} }

func (c *podCache) get(namespace, name string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	pod, ok := c.pods[namespace+"/"+name]
	return pod, ok
}

func (c *podCache) isSynced() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.synced
}

type objectMeta struct {
	Name            string `json:"name"`
	Namespace       string `json:"namespace"`
	ResourceVersion string `json:"resourceVersion"`
}

// podJSON gives a pod kind and apiVersion (LIST items lack them; clients decoding a single
// pod need them) and returns its key and resource version.
func podJSON(raw json.RawMessage) (key, version string, pod []byte, err error) {
	var object map[string]json.RawMessage
	if err = json.Unmarshal(raw, &object); err != nil {
		return "", "", nil, err
	}
	var meta objectMeta
	if err = json.Unmarshal(object["metadata"], &meta); err != nil {
		return "", "", nil, err
	}
	object["kind"] = json.RawMessage(`"Pod"`)
	object["apiVersion"] = json.RawMessage(`"v1"`)
	pod, err = json.Marshal(object)
	return meta.Namespace + "/" + meta.Name, meta.ResourceVersion, pod, err
}

// replace swaps in a full LIST result.
func (c *podCache) replace(items []json.RawMessage) error {
	pods := map[string][]byte{}
	for _, item := range items {
		key, _, pod, err := podJSON(item)
		if err != nil {
			return err
		}
		pods[key] = pod
	}
	c.mu.Lock()
	c.pods, c.synced = pods, true
	c.mu.Unlock()
	return nil
}

type watchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// apply handles one WATCH event; it returns the resource version to resume from.
func (c *podCache) apply(event watchEvent) (string, error) {
	if event.Type == "ERROR" {
		return "", fmt.Errorf("watch error: %s", event.Object)
	}
	key, version, pod, err := podJSON(event.Object)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch event.Type {
	case "ADDED", "MODIFIED":
		c.pods[key] = pod
	case "DELETED":
		delete(c.pods, key)
	}
	return version, nil
}

// syncer lists and watches the pods of one node.
type syncer struct {
	client *http.Client
	server string
	node   string
	cache  *podCache
}

func (s *syncer) podsURL(query url.Values) string {
	query.Set("fieldSelector", "spec.nodeName="+s.node)
	return s.server + "/api/v1/pods?" + query.Encode()
}

func (s *syncer) get(ctx context.Context, target string) (*http.Response, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Accept", "application/json")
	response, err := s.client.Do(request)
	if err != nil {
		return nil, err
	}
	if response.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(response.Body, 512))
		response.Body.Close()
		return nil, fmt.Errorf("GET %s: %s: %s", target, response.Status, body)
	}
	return response, nil
}

func (s *syncer) list(ctx context.Context) (string, error) {
	response, err := s.get(ctx, s.podsURL(url.Values{}))
	if err != nil {
		return "", err
	}
	defer response.Body.Close()
	var list struct {
		Metadata objectMeta        `json:"metadata"`
		Items    []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(response.Body).Decode(&list); err != nil {
		return "", err
	}
	return list.Metadata.ResourceVersion, s.cache.replace(list.Items)
}

// watch follows changes from `version` until the stream ends; returns where to resume.
func (s *syncer) watch(ctx context.Context, version string) (string, error) {
	query := url.Values{"watch": {"1"}, "resourceVersion": {version}, "allowWatchBookmarks": {"true"}}
	response, err := s.get(ctx, s.podsURL(query))
	if err != nil {
		return version, err
	}
	defer response.Body.Close()
	decoder := json.NewDecoder(bufio.NewReader(response.Body))
	for {
		var event watchEvent
		if err := decoder.Decode(&event); err != nil {
			if err == io.EOF {
				return version, nil
			}
			return version, err
		}
		next, err := s.cache.apply(event)
		if err != nil {
			return version, err
		}
		if next != "" {
			version = next
		}
	}
}

// run keeps the cache current: LIST, then WATCH from there; any error starts over.
func (s *syncer) run(ctx context.Context) {
	for ctx.Err() == nil {
		version, err := s.list(ctx)
		for err == nil && ctx.Err() == nil {
			version, err = s.watch(ctx, version)
		}
		if ctx.Err() == nil {
			log.Printf("pod cache: %v; listing again", err)
			time.Sleep(2 * time.Second)
		}
	}
}
