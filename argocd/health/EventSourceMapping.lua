-- Argo CD health check for EventSourceMapping (lambdaop.dev/v1alpha1), shipped with lambda-operator.
-- Source of truth: argocd/health/EventSourceMapping.lua; argocd/argocd-cm.yaml is generated from it.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) with the live resource in the global `obj` and without the string
-- library (no string functions are used here). It never fails on a missing field.
--
--   Progressing  no status yet; the operator has not observed metadata.generation yet; the Progressing condition
--                is True; AWS is changing the mapping (status.state Creating, Enabling, Updating, Disabling,
--                Deleting); Ready=True but AWS's state is not yet the one spec.enabled asks for; no Ready yet
--   Degraded     Ready=False for the current generation (message: the condition's reason: message)
--   Healthy      Ready=True with status.state Enabled, or Disabled when spec.enabled is false
--
-- status.state is AWS's State of the mapping; status.stateTransitionReason (AWS's StateTransitionReason) and
-- status.lastProcessingResult (AWS's LastProcessingResult) are added to the message when set.

-- tableOrNil, text, findCondition, describe and generationHealth: argocd/health/_shared.lua.

-- AWS states in which the mapping is being changed
local transitional = {
  Creating = true,
  Enabling = true,
  Updating = true,
  Disabling = true,
  Deleting = true,
}

-- "State Enabled (USER_INITIATED)": AWS's state and why it changed, when AWS says
local function stateText(status)
  local message = "State " .. text(status.state)
  local why = text(status.stateTransitionReason)
  if why ~= "" then
    message = message .. " (" .. why .. ")"
  end
  return message
end

local function withLastProcessingResult(message, status)
  local last = text(status.lastProcessingResult)
  if last == "" then
    return message
  end
  return message .. "; last processing result: " .. last
end

local function health()
  local spec = tableOrNil(obj.spec) or {}
  -- no terminal table: every Ready=False that the operator wrote for the current generation is Degraded
  local decided, status, ready = generationHealth({}, "event source mapping")
  if decided ~= nil then
    return decided
  end
  local progressing = findCondition(status, "Progressing")
  if progressing ~= nil and progressing.status == "True" then
    return {status = "Progressing", message = describe(progressing)}
  end
  if transitional[status.state] then
    return {status = "Progressing", message = stateText(status)}
  end
  if ready == nil then
    return {status = "Progressing", message = "Waiting for the Ready condition"}
  end
  if ready.status ~= "True" then
    return {status = "Degraded", message = describe(ready)}
  end
  local wanted = "Enabled"
  if spec.enabled == false then
    wanted = "Disabled"
  end
  if status.state ~= nil and status.state ~= wanted then
    return {status = "Progressing", message = stateText(status) .. ", waiting for " .. wanted}
  end
  local message = text(ready.message)
  if message == "" then
    message = "State " .. wanted
  end
  return {status = "Healthy", message = withLastProcessingResult(message, status)}
end

return health()
