-- Shared part of lambda-operator's Argo CD health checks. Argo CD runs each health check on its own (a script
-- cannot load another file), so the generator (ArgoCdConfig) puts this part in front of every kind's check in
-- argocd/argocd-cm.yaml. Source of truth: argocd/health/_shared.lua.

local function tableOrNil(value)
  if type(value) == "table" then
    return value
  end
  return nil
end

local function text(value)
  if value == nil then
    return ""
  end
  return tostring(value)
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

-- "reason: message", or whichever of the two is set
local function describe(condition)
  local reason = text(condition.reason)
  local message = text(condition.message)
  if reason == "" then
    return message
  end
  if message == "" then
    return reason
  end
  return reason .. ": " .. message
end

-- What every kind shares: no status yet, a terminal Ready=False for the current spec, and a generation the operator
-- has not observed. Returns the health when one of those decides it; otherwise nil, the status and the Ready
-- condition (nil when absent).
local function generationHealth(terminal, subject)
  local metadata = tableOrNil(obj.metadata) or {}
  local status = tableOrNil(obj.status)
  if status == nil then
    return {status = "Progressing", message = "Waiting for lambda-operator to reconcile the " .. subject}
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
  if ready ~= nil and ready.status == "False" and terminal[ready.reason] then
    return {status = "Degraded", message = describe(ready)}
  end
  return nil, status, ready
end

-- The Ready condition alone: Healthy when True, else Progressing with its reason (terminal reasons were decided above).
local function readyHealth(ready)
  if ready == nil then
    return {status = "Progressing", message = "Waiting for the Ready condition"}
  end
  if ready.status == "True" then
    return {status = "Healthy", message = describe({message = ready.message})}
  end
  return {status = "Progressing", message = describe(ready)}
end
