-- Argo CD resource actions for LambdaAlias (lambdaop.dev/v1alpha1), shipped with lambda-operator: which actions the
-- alias's current state allows. Source of truth: argocd/actions/LambdaAlias/; argocd/argocd-cm.yaml is generated.
--
-- Each action sets exactly the field the operator reads, as `kubectl patch` would (README.md, "LambdaAlias"):
--   promote       status.promote = true       end the current pause step, go on with the next step
--   promote-full  status.promoteFull = true   all traffic to the new version now
--   abort         status.abort = true         all traffic back to the stable version (phase Degraded)
--   retry         status.abort = false        start the aborted or rolled-back shift again from its first step
--   pause         spec.paused = true          hold the shift at its current weight
--   resume        spec.paused = false         go on, with the time the step had left
-- promote, promote-full, abort and retry change status only: Argo CD (1.8 and later) sends a change of status to the
-- status subresource, and since Git holds no status the application stays Synced. pause and resume change spec: with
-- automated self-heal, Argo CD reverts them unless the Application ignores /spec/paused of LambdaAlias
-- (ignoreDifferences, with the sync option RespectIgnoreDifferences=true); see examples/argocd/application.yaml.
--
-- "disabled" only greys an action out in the UI; each action script refuses (with a message) the states in which
-- it is disabled here, so `argocd app actions run` cannot apply it there either.
local spec = obj.spec
if type(spec) ~= "table" then
  spec = {}
end
local status = obj.status
if type(status) ~= "table" then
  status = {}
end

local paused = spec.paused == true
local aborted = status.abort == true
-- a shift runs: a new version is taking traffic, and it was neither aborted nor rolled back
local shifting = status.canaryVersion ~= nil and not aborted and status.phase ~= "Degraded"
-- the post-traffic hook runs once the new version has all the traffic: nothing left to promote
local allTraffic = (tonumber(status.canaryWeight) or 0) >= 100

local function action(enabled, displayName, iconClass)
  return {disabled = not enabled, displayName = displayName, iconClass = iconClass}
end

local actions = {}
actions["promote"] = action(shifting and not allTraffic and not paused and status.promote ~= true
  and status.promoteFull ~= true, "Promote (next step)", "fa fa-fw fa-step-forward")
actions["promote-full"] = action(shifting and not allTraffic and status.promoteFull ~= true,
  "Promote full", "fa fa-fw fa-forward")
actions["abort"] = action(shifting, "Abort", "fa fa-fw fa-times-circle")
actions["retry"] = action(aborted, "Retry", "fa fa-fw fa-redo")
actions["pause"] = action(not paused, "Pause", "fa fa-fw fa-pause")
actions["resume"] = action(paused, "Resume", "fa fa-fw fa-play")
return actions
