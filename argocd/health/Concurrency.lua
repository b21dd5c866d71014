-- Argo CD health check for Concurrency (lambdaop.dev/v1alpha1), shipped with lambda-operator.
-- Source of truth: argocd/health/Concurrency.lua; argocd/argocd-cm.yaml is generated from it.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) with the live resource in the global `obj` and without the string
-- library (no string functions are used here). It never fails on a missing field.
--
--   Progressing  no status yet; the operator has not observed metadata.generation yet; or Ready=False with a
--                reason the operator retries by itself (the function does not exist yet, throttling, AWS errors)
--   Degraded     Ready=False with a reason that needs a change by someone: the request does not fit the
--                account's unreserved pool, another Concurrency manages the same function, IAM, the spec
--   Healthy      Ready=True for the current generation: the reservation is applied in AWS
--
-- Reasons as the operator writes them (src/main/java/dev/lambdaop/concurrency, dev/lambdaop/aws/AwsErrors.java).
local terminal = {
  InsufficientUnreservedConcurrency = true,  -- the request would leave less than the unreserved minimum; the
                                             -- message gives the largest value allowed now
  DuplicateConcurrency = true, -- another Concurrency manages the same function (re-checked, but only deleting
                               -- one of the two ends it)
  InvalidParameter = true,     -- AWS refused the request (validation); the message is AWS's
  AccessDenied = true,         -- the operator's IAM identity lacks the permission the message names
  CodeStorageExceeded = true,  -- the account's code storage is full
  NotFound = true,             -- a referenced AWS object does not exist
}
-- Retried by the operator, so Progressing: Conflict (AWS ResourceConflictException), FunctionNotFound (waits for the LambdaFunction to create the function),
-- Throttled, AwsServiceError, AwsUnreachable, AwsError, InvalidCredentials, RoleNotAssumable, CodeNotFound, IOError,
-- Interrupted, InternalError.

local function tableOrNil(value)
  if type(value) == "table" then
    return value
  end
  return nil
end

local function findCondition(status, conditionType)
  local conditions = tableOrNil(status.conditions)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if type(condition) == "table" and condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function describe(condition)
  local reason = ""
  if condition.reason ~= nil then
    reason = tostring(condition.reason)
  end
  local message = ""
  if condition.message ~= nil then
    message = tostring(condition.message)
  end
  if reason == "" then
    return message
  end
  if message == "" then
    return reason
  end
  return reason .. ": " .. message
end

local function health()
  local metadata = tableOrNil(obj.metadata) or {}
  local status = tableOrNil(obj.status)
  if status == nil then
    return {status = "Progressing", message = "Waiting for lambda-operator to reconcile the reservation"}
  end
  local generation = tonumber(metadata.generation)
  local observed = tonumber(status.observedGeneration)
  local ready = findCondition(status, "Ready")
  -- whether the Ready condition describes the current spec
  local readyIsCurrent = false
  if ready ~= nil then
    local readyGeneration = tonumber(ready.observedGeneration) or observed
    readyIsCurrent = generation == nil or (readyGeneration ~= nil and readyGeneration >= generation)
  end
  if readyIsCurrent and ready.status == "False" and terminal[ready.reason] then
    return {status = "Degraded", message = describe(ready)}
  end
  if generation ~= nil and (observed == nil or observed < generation) then
    if readyIsCurrent and ready.status == "False" then
      return {status = "Progressing", message = describe(ready)}
    end
    return {status = "Progressing", message = "Waiting for lambda-operator to observe generation " .. generation}
  end
  if ready == nil then
    return {status = "Progressing", message = "Waiting for the Ready condition"}
  end
  if ready.status == "True" then
    return {status = "Healthy", message = describe({message = ready.message})}
  end
  if ready.status == "False" and terminal[ready.reason] then
    return {status = "Degraded", message = describe(ready)}
  end
  return {status = "Progressing", message = describe(ready)}
end

return health()
