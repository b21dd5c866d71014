# The two commands users need are `make run` and `make test`; see README.md.
.PHONY: test run testbed crds build unit bench bench-alias clean

MVN ?= mvn -B

## Installs what is missing (test bed binaries, moto) and runs every test: unit and end to end.
test: testbed
	$(MVN) verify

## Runs the operator against a local API server and Lambda endpoint, applies examples/, shows them becoming Ready.
run: testbed
	$(MVN) -q -DskipTests test-compile
	$(MVN) -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
	  -Dexec.args="-Dlambdaop.projectDir=$(CURDIR) -cp %classpath dev.lambdaop.testbed.LocalRun"

## Benchmark (not a test): N LambdaFunctions at once against the test bed; prints the figures.
N ?= 200
bench: testbed
	$(MVN) -q -DskipTests test-compile
	$(MVN) -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
	  -Dexec.args="-Dlambdaop.projectDir=$(CURDIR) -Dn=$(N) -cp %classpath dev.lambdaop.bench.FunctionBenchmark"

## Benchmark (not a test): N LambdaAliases shifting at once (Linear 20% every 5 s); prints the figures.
bench-alias: N = 100
bench-alias: testbed
	$(MVN) -q -DskipTests test-compile
	$(MVN) -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
	  -Dexec.args="-Dlambdaop.projectDir=$(CURDIR) -Dn=$(N) -cp %classpath dev.lambdaop.bench.AliasShiftBenchmark"

## Builds (cached) kube-apiserver, etcd and moto for the test bed.
testbed:
	bash testbed/install.sh

## Unit tests only (no test bed needed).
unit:
	$(MVN) test

## Regenerates crds/ from the API classes.
crds:
	$(MVN) -q process-test-classes surefire:test -Dtest=CrdsUpToDateTest -Dlambdaop.updateCrds=true -Dsurefire.failIfNoSpecifiedTests=false

## Builds the operator jar without tests.
build:
	$(MVN) -DskipTests package

clean:
	$(MVN) -q clean
