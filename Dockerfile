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
# The JVM options: the chart's default javaToolOptions (ContainerImageIT checks that they agree; README "Memory").
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:MaxRAMPercentage=60 -Xss256k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=128m -XX:-UsePerfData"
# Class data sharing: a training start records the classes the operator loads (the JVM, the Kubernetes client, the
# AWS SDK, the operator) in an archive that every start then maps instead of loading and parsing them again: about
# 17 MiB less RSS and a faster start. There is no cluster here: the start fails when it asks the API server for the
# cluster id, and the JVM writes the archive as it exits. The archive fits only this JRE and this jar; where it does
# not (another java, another class path) the JVM ignores it with a warning and loads the classes as usual.
RUN KUBECONFIG=/nonexistent AWS_REGION=us-east-1 LAMBDAOP_METRICS_PORT=0 \
    java -XX:ArchiveClassesAtExit=/app/lambda-operator.jsa -Xlog:cds=off -jar /app/lambda-operator.jar \
    > /dev/null 2>&1; test -s /app/lambda-operator.jsa
# 65532: no home, no shell needed; matches the chart's runAsUser. The root filesystem can be read-only: the JVM
# writes nothing outside /tmp (the chart mounts an emptyDir there) and -XX:-UsePerfData skips /tmp/hsperfdata.
USER 65532:65532
# /metrics, /healthz, /readyz (LAMBDAOP_METRICS_PORT)
EXPOSE 8080
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/lambda-operator.jsa", "-jar", "/app/lambda-operator.jar"]
