-- Argo CD action "promote-full" for LambdaAlias (lambda-operator): moves all traffic to the new version now,
-- skipping the remaining steps (also while spec.paused holds the shift). A post-traffic hook still runs.
-- Sets status.promoteFull = true; the operator sets it back to false once used.
-- Status only: Argo CD applies it through the status subresource; spec stays as Git has it.
local status = obj.status
if type(status) ~= "table" or status.canaryVersion == nil then
  error("no traffic shift is running: nothing to promote", 0)
end
if status.abort == true or status.phase == "Degraded" then
  error("the shift was aborted or rolled back: run retry to start it again", 0)
end
if (tonumber(status.canaryWeight) or 0) >= 100 then
  error("the new version already has all the traffic", 0)
end
if status.promoteFull == true then
  error("promote-full is already requested", 0)
end
status.promoteFull = true
return obj
