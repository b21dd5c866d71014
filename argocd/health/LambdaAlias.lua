-- Argo CD health check for LambdaAlias (lambdaop.dev/v1alpha1), shipped with lambda-operator.
-- Source of truth: argocd/health/LambdaAlias.lua; argocd/argocd-cm.yaml is generated from it.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) with the live resource in the global `obj` and without the string
-- library (no string functions are used here). It never fails on a missing field.
--
--   Progressing  no status yet; the operator has not observed metadata.generation yet; a traffic shift runs
--                (status.phase Progressing: weights move, a timed pause, the post-traffic hook); Ready=False
--                with a reason the operator retries by itself; or AWS is still allocating the alias's provisioned
--                concurrency (status.provisionedConcurrency.status IN_PROGRESS)
--   Suspended    the shift is held: spec.paused is true (status.phase Paused, status.pauseConditions), or the
--                current step is a pause without duration that waits for a promote
--   Degraded     a rollback or an abort sent all traffic back to the stable version (status.phase Degraded,
--                status.abort), Ready=False with a reason that needs a change by someone, or AWS failed to
--                allocate the provisioned concurrency (status.provisionedConcurrency.status FAILED)
--   Healthy      Ready=True for the current generation and all traffic on one version (status.phase Healthy),
--                with the provisioned concurrency (if any) READY
--
-- Reasons as the operator writes them (src/main/java/dev/lambdaop/alias, dev/lambdaop/aws/sdk/AwsErrors.java).
local terminal = {
  IncompatibleVersions = true, -- the two versions differ in execution role or dead-letter target (not retried)
  HookNotInvokable = true,     -- the operator may not invoke a hook function (re-checked, but IAM or the hook's
                               -- name must change first); no traffic moved
  OwnedElsewhere = true,       -- the function (or hook function) is owned by another namespace or cluster, or
                               -- another cluster recorded the alias (re-checked, but only its owner can end it)
  DuplicateAlias = true,       -- another LambdaAlias manages the same AWS alias (re-checked, but only deleting
                               -- one of the two ends it)
  AlreadyExists = true,        -- the AWS alias exists and is not this resource's: spec.adopt: true takes it over
  InvalidParameter = true,     -- AWS refused the request (validation); not retried until the spec changes
  AccessDenied = true,         -- the operator's IAM identity lacks the permission the message names
  CodeStorageExceeded = true,  -- the account's code storage is full
  NotFound = true,             -- a referenced AWS object does not exist
  FunctionNameNotAllowed = true, -- a function named by functionName or a hook lacks the namespace's prefix (Namespace
                                 -- annotation; re-checked, but an administrator or the spec must change)
  NamespacePolicyMissing = true, -- the operator requires a namespace policy and the Namespace has none
  InvalidSpec = true,          -- a duration the operator cannot use (stored before the schema bounded it)
  StatementIdInUse = true,     -- a statement the operator did not add holds a statementId of spec.permissions
  ProvisionedConcurrencyFailed = true, -- AWS could not allocate spec.provisionedConcurrency (statusReason says why)
  AccountMappingInvalid = true, -- the Namespace's lambdaop.dev/aws-role-arn or aws-region annotation is malformed
  AccountMappingMissing = true, -- the operator requires an account mapping and the Namespace has none
  AccountChanged = true,       -- the Namespace now maps to another AWS account than the one the resource lives in
}
-- RoleNotAllowed (the namespace's policy refuses an execution role) is a LambdaFunction's only.
-- Retried by the operator, so Progressing: FunctionNotFound, FunctionNotReady (the LambdaFunction has not published
-- a version yet), VersionNotFound (looked for again every few seconds), Conflict, Throttled, AwsServiceError,
-- AwsUnreachable, AwsError, InvalidCredentials, RoleNotAssumable, AccountRoleNotAssumable, CodeNotFound, IOError, Interrupted, InternalError.

-- tableOrNil, text, findCondition, describe and generationHealth: argocd/health/_shared.lua.

-- status.message, or the Ready condition's message when there is none
local function statusMessage(status, ready)
  local message = text(status.message)
  if message == "" and ready ~= nil then
    message = text(ready.message)
  end
  return message
end

-- Whether the current step of the running shift is a pause without duration (spec.deployment.steps, strategy Steps):
-- it holds until status.promote or status.promoteFull is set.
local function waitsForPromote(spec, status)
  if status.canaryVersion == nil then
    return false
  end
  local deployment = tableOrNil(spec.deployment)
  if deployment == nil then
    return false
  end
  local steps = tableOrNil(deployment.steps)
  local index = tonumber(status.currentStepIndex)
  if steps == nil or index == nil then
    return false
  end
  local step = tableOrNil(steps[index + 1])
  if step == nil then
    return false
  end
  local pause = tableOrNil(step.pause)
  return pause ~= nil and pause.duration == nil
end

-- status.provisionedConcurrency (AWS's GetProvisionedConcurrencyConfig): nil when the alias has none
local function provisionedConcurrency(status)
  local pc = tableOrNil(status.provisionedConcurrency)
  if pc == nil then
    return nil
  end
  if pc.status == "FAILED" then
    local reason = text(pc.statusReason)
    if reason == "" then
      return {status = "Degraded", message = "Provisioned concurrency failed"}
    end
    return {status = "Degraded", message = "Provisioned concurrency failed: " .. reason}
  end
  if pc.status == "IN_PROGRESS" then
    local available = text(pc.available)
    if available == "" then
      available = "0"
    end
    local requested = text(pc.requested)
    if requested == "" then
      requested = "?"
    end
    return {status = "Progressing",
      message = "Allocating provisioned concurrency: " .. available .. "/" .. requested .. " available"}
  end
  return nil
end

local function health()
  local spec = tableOrNil(obj.spec) or {}
  local decided, status, ready = generationHealth(terminal, "alias")
  if decided ~= nil then
    return decided
  end
  -- a rollback or an abort holds until status.abort is cleared (the retry action) or the spec changes
  if status.phase == "Degraded" or status.abort == true then
    local message = statusMessage(status, nil)
    if message == "" then
      message = "Aborted: all traffic on the stable version; clear status.abort to retry"
    end
    return {status = "Degraded", message = message}
  end
  local allocation = provisionedConcurrency(status)
  if allocation ~= nil and allocation.status == "Degraded" then
    return allocation
  end
  if ready == nil then
    return {status = "Progressing", message = "Waiting for the Ready condition"}
  end
  if ready.status ~= "True" then
    return {status = "Progressing", message = describe(ready)}
  end
  local pauseConditions = tableOrNil(status.pauseConditions)
  if status.phase == "Paused" or (pauseConditions ~= nil and pauseConditions[1] ~= nil) then
    return {status = "Suspended", message = statusMessage(status, ready)}
  end
  if spec.paused == true then
    local message = "spec.paused is true: a new version waits until it is false"
    local current = statusMessage(status, ready)
    if current ~= "" then
      message = message .. "; " .. current
    end
    return {status = "Suspended", message = message}
  end
  if status.phase == "Progressing" or status.canaryVersion ~= nil then
    if waitsForPromote(spec, status) then
      return {status = "Suspended", message = statusMessage(status, ready)}
    end
    return {status = "Progressing", message = statusMessage(status, ready)}
  end
  -- the traffic is where it should be, the provisioned concurrency not yet
  if allocation ~= nil then
    return allocation
  end
  return {status = "Healthy", message = statusMessage(status, ready)}
end

return health()
