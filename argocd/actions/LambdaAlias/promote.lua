-- Argo CD action "promote" for LambdaAlias (lambda-operator): ends the current pause step of the running traffic
-- shift (a pause without duration, or the rest of a timed one) and goes on with the next step.
-- Sets status.promote = true; the operator sets it back to false once used.
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
if type(obj.spec) == "table" and obj.spec.paused == true then
  error("spec.paused holds the shift: run resume first", 0)
end
if status.promoteFull == true then
  error("promote-full is already requested", 0)
end
if status.promote == true then
  error("a promote is already requested and not used yet", 0)
end
status.promote = true
return obj
