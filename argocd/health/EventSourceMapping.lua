-- Argo CD health check for EventSourceMapping (lambdaop.dev/v1alpha1), shipped with lambda-operator.
-- Source of truth: argocd/health/EventSourceMapping.lua; argocd/argocd-cm.yaml is generated from it.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) with the live resource in the global `obj` and without the string
-- library (no string functions are used here). It never fails on a missing field.
--
--   Progressing  no status yet; the operator has not observed metadata.generation yet; the Progressing condition
--                is True; AWS is changing the mapping (status.state Creating, Enabling, Updating, Disabling,
--                Deleting); Ready=True but AWS's state is not yet the one spec.enabled asks for; no Ready yet
--   Degraded     Ready=False for the current generation with a reason the operator does not retry by itself (the
--                terminal table below; message: the condition's reason: message)
--   Healthy      Ready=True with status.state Enabled, or Disabled when spec.enabled is false
--
-- status.state is AWS's State of the mapping; status.stateTransitionReason (AWS's StateTransitionReason) and
-- status.lastProcessingResult (AWS's LastProcessingResult) are added to the message when set.

-- Reasons as the operator writes them (src/main/java/dev/lambdaop/eventsource, dev/lambdaop/aws/sdk/AwsErrors.java).
local terminal = {
  AlreadyExists = true,        -- a mapping of this source to this function exists in AWS and is not this resource's
  InvalidParameter = true,     -- AWS refused the request (validation, or the execution role cannot read the source)
  AccessDenied = true,         -- the operator's IAM identity lacks the permission the message names
  OwnedElsewhere = true,       -- the function is owned by another namespace or cluster
  FunctionNameNotAllowed = true, -- functionName lacks the namespace's prefix (Namespace annotation)
  NamespacePolicyMissing = true, -- the operator requires a namespace policy and the Namespace has none
  InvalidSpec = true,          -- a value the operator cannot use (stored before the schema bounded it)
  NotFound = true,             -- a referenced AWS object (the event source) does not exist
  CodeStorageExceeded = true,  -- (AWS's error for a function whose code storage is full; not a mapping's in practice)
  AccountMappingInvalid = true, -- the Namespace's lambdaop.dev/aws-role-arn or aws-region annotation is malformed
  AccountMappingMissing = true, -- the operator requires an account mapping and the Namespace has none
  AccountChanged = true,       -- the Namespace now maps to another AWS account than the one the resource lives in
}
-- CodeNotFound and RoleNotAllowed are a LambdaFunction's only.
-- Retried by the operator, so Progressing: AliasNotFound and AliasNotReady (the LambdaAlias does not exist or has
-- no alias in AWS yet: an Argo CD sync creates it), FunctionNotFound, FunctionNotReady, Creating, Enabling, Updating,
-- Disabling, Deleting, Replacing (AWS is changing the mapping), Conflict, Throttled, AwsServiceError, AwsUnreachable,
-- AwsError, InvalidCredentials, RoleNotAssumable, AccountRoleNotAssumable, IOError, Interrupted, InternalError.

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
  local decided, status, ready = generationHealth(terminal, "event source mapping")
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
    -- a reason the operator retries (terminal ones were decided above)
    return {status = "Progressing", message = describe(ready)}
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
