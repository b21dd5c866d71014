package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.aws.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/**
 * {@link Versions} with the AWS SDK. One version is read with GetFunction and a qualifier, which has a request quota
 * of its own (100/s), not GetFunctionConfiguration, which counts against the 15/s all other control-plane calls
 * share; its traits are kept ({@link VersionTraitsCache}).
 */
final class SdkVersions implements Versions {
  private final AwsClients clients;
  private final AwsCalls calls;
  private final VersionTraitsCache traits;

  SdkVersions(AwsClients clients, AwsCalls calls, VersionTraitsCache traits) {
    this.clients = clients;
    this.calls = calls;
    this.traits = traits;
  }

  @Override
  public VersionSnapshot publish(String region, String function, String codeSha256, String revisionId,
      String description) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "PublishVersion", function, () -> {
      var response = lambda.publishVersion(r -> r.functionName(function)
          .codeSha256(codeSha256)
          .revisionId(revisionId)
          .description(description));
      return new VersionSnapshot(response.version(), response.codeSha256(), response.description(),
          response.lastModified());
    });
  }

  @Override
  public List<VersionSnapshot> list(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "ListVersionsByFunction", function, () -> {
      List<VersionSnapshot> versions = new ArrayList<>();
      for (FunctionConfiguration c : lambda.listVersionsByFunctionPaginator(r -> r.functionName(function)).versions()) {
        if (!"$LATEST".equals(c.version())) {
          versions.add(new VersionSnapshot(c.version(), c.codeSha256(), c.description(), c.lastModified()));
        }
      }
      versions.sort((a, b) -> Long.compare(Long.parseLong(a.version()), Long.parseLong(b.version())));
      return versions;
    });
  }

  @Override
  public boolean delete(String region, String function, String version) {
    LambdaClient lambda = clients.lambda(region);
    traits.forget(region, function, version);
    return Sdk.absentIfNotFound(() -> calls.write(region, "DeleteFunction", function,
        () -> lambda.deleteFunction(r -> r.functionName(function).qualifier(version)))).isPresent();
  }

  @Override
  public Optional<Traits> traits(String region, String function, String version) {
    Optional<Traits> known = traits.get(region, function, version);
    return known.isPresent() ? known : read(region, function, version).map(SdkVersions::traitsOf);
  }

  @Override
  public Optional<VersionSnapshot> version(String region, String function, String version) {
    return read(region, function, version)
        .map(c -> new VersionSnapshot(c.version(), c.codeSha256(), c.description(), c.lastModified()));
  }

  /** GetFunction of one version; what it tells of the version's traits is kept. */
  private Optional<FunctionConfiguration> read(String region, String function, String version) {
    LambdaClient lambda = clients.lambda(region);
    Optional<FunctionConfiguration> read = Sdk.absentIfNotFound(() -> calls.read(region, "GetFunction", function,
        () -> lambda.getFunction(r -> r.functionName(function).qualifier(version)).configuration()));
    if (read.isEmpty()) {
      traits.forget(region, function, version);
    }
    read.ifPresent(c -> traits.put(region, function, version, traitsOf(c)));
    return read;
  }

  private static Traits traitsOf(FunctionConfiguration c) {
    return new Traits(c.role(), c.deadLetterConfig() == null ? null : c.deadLetterConfig().targetArn());
  }
}
