-- Argo CD action "resume" for LambdaAlias (lambda-operator): lets a paused traffic shift go on, with the time the
-- step had left when it was paused.
-- Sets spec.paused = false. This changes spec: see the pause action about self-heal and ignoreDifferences.
if type(obj.spec) ~= "table" or obj.spec.paused ~= true then
  error("not paused (spec.paused is not true)", 0)
end
obj.spec.paused = false
return obj
