-- Argo CD action "pause" for LambdaAlias (lambda-operator): holds the traffic shift at its current weight, or
-- holds the next one at its start; resume goes on with the time the step had left.
-- Sets spec.paused = true. This changes spec, so the live alias differs from Git: with automated self-heal Argo CD
-- reverts it at once unless the Application ignores /spec/paused of LambdaAlias (ignoreDifferences jsonPointers,
-- with the sync option RespectIgnoreDifferences=true so that a sync keeps it too).
if type(obj.spec) ~= "table" then
  obj.spec = {}
end
if obj.spec.paused == true then
  error("already paused (spec.paused is true)", 0)
end
obj.spec.paused = true
return obj
