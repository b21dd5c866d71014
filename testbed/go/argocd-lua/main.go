// Command argocd-lua runs an Argo CD health check, action discovery script or resource action on a resource, in Argo
// CD's own Lua runtime: the util/lua package of the Argo CD release this module requires, with its sandbox (no
// useOpenLibs: base, table, package and its safe os library only), its decoding of the resource into the global obj,
// its one-second time limit, its encoding and validation of what the script returns, and its cleaning of an action's
// result. For an action it also prints the JSON merge patch that Argo CD's API server sends (computed with the same
// library, from the live object to the result).
//
//	argocd-lua health    SCRIPT RESOURCE
//	argocd-lua discovery SCRIPT RESOURCE
//	argocd-lua action    SCRIPT RESOURCE [PARAM=VALUE ...]
//	argocd-lua batch     REQUEST
//
// SCRIPT is a Lua file, RESOURCE a JSON file (- for standard input). The first three print one outcome and exit 1
// when the script failed or refused:
//
//	{"ok": true, "result": ...}   health: {"status", "message"} (null when the script returned nil);
//	                              discovery: Argo CD's list of actions [{"name", "disabled", "iconClass", ...}];
//	                              action: [{"operation": "patch"|"create", "resource": {...}, "patch": {...}}]
//	{"ok": false, "error": "..."} the error Argo CD reports (a script's error() text, without a stack trace)
//
// batch runs many scripts on one resource in one process (the Java tests' calling convention). REQUEST is a JSON
// file (- for standard input):
//
//	{"resource": {...}, "runs": [{"name": "...", "mode": "health|discovery|action", "script": "...",
//	                              "params": {"name": "value"}}]}
//
// and the output an object of outcomes by run name. Exit status 2: the request itself could not be read.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	jsonpatch "github.com/evanphx/json-patch"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sjson "k8s.io/apimachinery/pkg/util/json"

	applicationpkg "github.com/argoproj/argo-cd/v3/pkg/apiclient/application"
	appv1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	argolua "github.com/argoproj/argo-cd/v3/util/lua"
)

type outcome struct {
	OK     bool   `json:"ok"`
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

type run struct {
	Name   string            `json:"name"`
	Mode   string            `json:"mode"`
	Script string            `json:"script"`
	Params map[string]string `json:"params,omitempty"`
}

type request struct {
	Resource json.RawMessage `json:"resource"`
	Runs     []run           `json:"runs"`
}

type impacted struct {
	Operation argolua.K8SOperation `json:"operation"`
	Resource  map[string]any       `json:"resource"`
	// the JSON merge patch from the live object to the result, as Argo CD's API server computes it (patch only)
	Patch json.RawMessage `json:"patch,omitempty"`
}

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	mode := os.Args[1]
	switch mode {
	case "batch":
		if len(os.Args) != 3 {
			usage()
		}
		var req request
		if err := json.Unmarshal(read(os.Args[2]), &req); err != nil {
			fail("cannot read the request: %v", err)
		}
		live := resource(req.Resource)
		outcomes := make(map[string]outcome, len(req.Runs))
		for _, r := range req.Runs {
			// each run gets its own copy of the resource, as each Argo CD call gets the live object
			outcomes[r.Name] = execute(r, resource(req.Resource), live)
		}
		write(outcomes)
	case "health", "discovery", "action":
		if len(os.Args) < 4 || (mode != "action" && len(os.Args) != 4) {
			usage()
		}
		r := run{Name: mode, Mode: mode, Script: string(read(os.Args[2])), Params: map[string]string{}}
		for _, param := range os.Args[4:] {
			name, value, ok := strings.Cut(param, "=")
			if !ok {
				fail("an action parameter is NAME=VALUE, not %q", param)
			}
			r.Params[name] = value
		}
		data := read(os.Args[3])
		result := execute(r, resource(data), resource(data))
		write(result)
		if !result.OK {
			os.Exit(1)
		}
	default:
		usage()
	}
}

// execute runs one script as Argo CD runs a customization from argocd-cm (useOpenLibs false).
func execute(r run, obj, live *unstructured.Unstructured) outcome {
	switch r.Mode {
	case "health":
		// as the application controller: the health script of the resource's group and kind in the resource
		// overrides, run by ExecuteHealthLua
		overrides := argolua.ResourceHealthOverrides{
			argolua.GetConfigMapKey(obj.GroupVersionKind()): appv1.ResourceOverride{HealthLua: r.Script},
		}
		status, err := overrides.GetResourceHealth(obj)
		if err != nil {
			return outcome{Error: err.Error()}
		}
		if status == nil {
			return outcome{OK: true}
		}
		return outcome{OK: true, Result: status}
	case "discovery":
		vm := argolua.VM{}
		actions, err := vm.ExecuteResourceActionDiscovery(obj, []string{r.Script})
		if err != nil {
			return outcome{Error: err.Error()}
		}
		if actions == nil {
			actions = []appv1.ResourceAction{}
		}
		return outcome{OK: true, Result: actions}
	case "action":
		vm := argolua.VM{}
		var params []*applicationpkg.ResourceActionParameters
		for name, value := range r.Params {
			params = append(params, &applicationpkg.ResourceActionParameters{Name: &name, Value: &value})
		}
		resources, err := vm.ExecuteResourceAction(obj, r.Script, params)
		if err != nil {
			return outcome{Error: err.Error()}
		}
		liveBytes, err := json.Marshal(live)
		if err != nil {
			return outcome{Error: err.Error()}
		}
		result := make([]impacted, 0, len(resources))
		for _, res := range resources {
			entry := impacted{Operation: res.K8SOperation}
			if res.UnstructuredObj != nil {
				entry.Resource = res.UnstructuredObj.Object
			}
			if res.K8SOperation == argolua.PatchOperation {
				// as the API server's RunResourceActionV2 and patchResource
				newBytes, err := json.Marshal(res.UnstructuredObj)
				if err != nil {
					return outcome{Error: err.Error()}
				}
				patch, err := jsonpatch.CreateMergePatch(liveBytes, newBytes)
				if err != nil {
					return outcome{Error: fmt.Sprintf("error calculating merge patch: %v", err)}
				}
				entry.Patch = patch
			}
			result = append(result, entry)
		}
		return outcome{OK: true, Result: result}
	}
	return outcome{Error: fmt.Sprintf("unknown mode %q (health, discovery or action)", r.Mode)}
}

// resource decodes a resource as a live object: numbers that are whole are int64, as the API machinery decodes them.
func resource(data []byte) *unstructured.Unstructured {
	object := map[string]any{}
	if len(data) > 0 {
		if err := k8sjson.Unmarshal(data, &object); err != nil {
			fail("cannot read the resource: %v", err)
		}
	}
	return &unstructured.Unstructured{Object: object}
}

func read(path string) []byte {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		fail("%v", err)
	}
	return data
}

func write(value any) {
	out, err := json.Marshal(value)
	if err != nil {
		fail("cannot encode the outcome: %v", err)
	}
	if _, err := os.Stdout.Write(append(out, '\n')); err != nil {
		fail("%v", err)
	}
}

func usage() {
	fail("usage: argocd-lua health|discovery SCRIPT RESOURCE | action SCRIPT RESOURCE [PARAM=VALUE ...] | batch REQUEST")
}

func fail(format string, args ...any) {
	fmt.Fprintln(os.Stderr, "argocd-lua: "+fmt.Sprintf(format, args...))
	os.Exit(2)
}
