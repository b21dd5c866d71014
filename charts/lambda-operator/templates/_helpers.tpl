{{/* The chart name, or nameOverride. */}}
{{- define "lambda-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's resources: fullnameOverride; else the release name if it
already contains the chart name (release "lambda-operator" gives "lambda-operator"); else
"<release>-<chart name>". At most 63 characters.
*/}}
{{- define "lambda-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "lambda-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "lambda-operator.labels" -}}
helm.sh/chart: {{ include "lambda-operator.chart" . }}
{{ include "lambda-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the operator's pods. */}}
{{- define "lambda-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lambda-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "lambda-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lambda-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
"true" or "false": leaderElection.enabled, where "auto" means "on when replicaCount > 1".
More than one replica without leader election would run several operators writing to the
same AWS functions at once: refused.
*/}}
{{- define "lambda-operator.leaderElection" -}}
{{- $setting := toString .Values.leaderElection.enabled }}
{{- $on := false }}
{{- if eq $setting "auto" }}
{{- $on = gt (int .Values.replicaCount) 1 }}
{{- else }}
{{- $on = eq $setting "true" }}
{{- end }}
{{- if and (not $on) (gt (int .Values.replicaCount) 1) }}
{{- fail (printf "replicaCount is %d but leaderElection.enabled is false: more than one replica needs leader election (set leaderElection.enabled to auto or true)" (int .Values.replicaCount)) }}
{{- end }}
{{- ternary "true" "false" $on }}
{{- end }}

{{/* "true" or "false": podDisruptionBudget.enabled, where "auto" means "when replicaCount > 1". */}}
{{- define "lambda-operator.pdbEnabled" -}}
{{- $setting := toString .Values.podDisruptionBudget.enabled }}
{{- if eq $setting "auto" }}
{{- ternary "true" "false" (gt (int .Values.replicaCount) 1) }}
{{- else }}
{{- ternary "true" "false" (eq $setting "true") }}
{{- end }}
{{- end }}

{{/*
What the operator needs to manage its resources, and nothing more (the same in a ClusterRole
or in a Role per watched namespace). The Lease of leader election is a separate Role in the
release namespace (leader-election-rbac.yaml).
*/}}
{{- define "lambda-operator.rules" -}}
# Exactly what the operator uses (LeastPrivilegeIT proves it from the API server's audit log).
# LambdaFunctions: the controllers' informers list and watch them (FunctionReferences also
# watches those that aliases and concurrencies name); the alias and concurrency controllers get
# the one they name; the SDK adds and removes its finalizer with patch.
- apiGroups: [lambdaop.dev]
  resources: [lambdafunctions]
  verbs: [get, list, watch, patch]
# LambdaAliases, Concurrencies and EventSourceMappings: listed, watched, finalizer patched.
- apiGroups: [lambdaop.dev]
  resources: [lambdaaliases, concurrencies, eventsourcemappings]
  verbs: [list, watch, patch]
# LambdaAliases named by an EventSourceMapping's aliasRef: read at reconcile time for their ARN.
- apiGroups: [lambdaop.dev]
  resources: [lambdaaliases]
  verbs: [get]
# Status of all four: written with server-side apply (a patch) by every reconciler.
- apiGroups: [lambdaop.dev]
  resources: [lambdafunctions/status, lambdaaliases/status, concurrencies/status, eventsourcemappings/status]
  verbs: [patch]
# Secrets and ConfigMaps named in a LambdaFunction's environment: read at reconcile time
# (KubernetesReferences) and watched so that a changed value deploys at once (ReferencedObjects;
# its informer caches keep their metadata only, never a value).
- apiGroups: [""]
  resources: [secrets, configmaps]
  verbs: [get, list, watch]
# The Namespace of each resource, read at every reconcile for its policy annotations
# (NamespacePolicy: allowed execution roles, function name prefix). A GET of a Namespace is
# authorized in that namespace: in a Role per watched namespace it is that namespace only.
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get]
# Events on the resources (KubernetesEvents): drift reverted, errors, shift steps.
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create]
{{- end }}
{{- define "lambda-operator.clusterRules" -}}
# The operator's own CustomResourceDefinitions, read when a resource is deleted: while its CRD is
# being deleted (an uninstall), the resource is released and AWS is left as it is.
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  resourceNames: [lambdafunctions.lambdaop.dev, lambdaaliases.lambdaop.dev, concurrencies.lambdaop.dev,
    eventsourcemappings.lambdaop.dev]
  verbs: [get]
{{- end }}
