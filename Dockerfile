# The operator's container image. Build it with any OCI builder from the repository's root, for example:
#   docker build -t lambda-operator:0.1.0 .
#   podman build -t lambda-operator:0.1.0 .
# then push it to your registry and set the chart's image.repository / image.tag (README, "Container image").
# The base images are the Maven and Eclipse Temurin official images, by short name: your builder resolves them
# through its own registry settings (or a mirror).

# --- build: the runnable jar (target/lambda-operator.jar, every dependency inside) ---------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY crds ./crds
COPY charts ./charts
COPY src/main ./src/main
# -Dmaven.test.skip: neither compiles nor runs the tests (they need the test bed; CI runs them with `make test`)
RUN mvn -B -q -Dmaven.test.skip=true package

# --- run: a JRE, the jar, a user that is not root --------------------------------------------------------------
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/lambda-operator.jar /app/lambda-operator.jar
# 65532: no home, no shell needed; matches the chart's runAsUser. The root filesystem can be read-only: the JVM
# writes nothing outside /tmp (the chart mounts an emptyDir there) and -XX:-UsePerfData skips /tmp/hsperfdata.
USER 65532:65532
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:-UsePerfData"
# /metrics, /healthz, /readyz (LAMBDAOP_METRICS_PORT)
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/lambda-operator.jar"]
