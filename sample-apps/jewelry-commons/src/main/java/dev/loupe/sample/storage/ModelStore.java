package dev.loupe.sample.storage;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** The bucket of customers' 3D models, shared by Shop (upload), CRM (review) and MES (pricing). */
public final class ModelStore implements AutoCloseable {

  /** Where the store lives and who we are to it. */
  public record Settings(String endpoint, String region, String bucket, String accessKey, String secretKey) {
    public Settings {
      require(endpoint, "endpoint");
      require(bucket, "bucket");
      require(accessKey, "access key");
      require(secretKey, "secret key");
      region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    public Settings withSecretKey(String otherSecret) {
      return new Settings(endpoint, region, bucket, accessKey, otherSecret);
    }

    private static void require(String value, String what) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("model store " + what + " is not set");
      }
    }
  }

  private final Settings settings;
  private final S3Client s3;

  public ModelStore(Settings settings) {
    this.settings = settings;
    this.s3 = S3Client.builder()
        .endpointOverride(URI.create(settings.endpoint()))
        .region(Region.of(settings.region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())))
        .forcePathStyle(true)
        // the on-premises S3 gateways the company runs do not speak the newer checksum trailers
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(UrlConnectionHttpClient.builder().build())
        .build();
  }

  public void put(String key, byte[] content, String contentType) {
    s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentType(contentType),
        RequestBody.fromBytes(content));
  }

  public byte[] get(String key) {
    ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key));
    return bytes.asByteArray();
  }

  @Override
  public void close() {
    s3.close();
  }
}
