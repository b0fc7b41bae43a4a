// The coordinator's certificate and audit settings on the command line:
// kube-apiserver's names, parsed and refused with the flag named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/coordinator_config.h"
#include "unit/coordinator_flags_parse.h"

namespace fleetset::coordinator {
namespace {

using ::testing::HasSubstr;

TEST(CoordinatorSecurityFlagsTest, CertificateFilesSansTtlAndAuditAreRead) {
  std::string errors;
  const CoordinatorCommandLine parsed = ParseFlags({"--tls-cert-file",
                                                    "/etc/pki/server.crt",
                                                    "--tls-private-key-file",
                                                    "/etc/pki/server.key",
                                                    "--client-ca-file",
                                                    "/etc/pki/ca.crt",
                                                    "--cluster-signing-cert-file",
                                                    "/etc/pki/ca.crt",
                                                    "--cluster-signing-key-file",
                                                    "/etc/pki/ca.key",
                                                    "--tls-san",
                                                    "coordinator.example,10.0.0.5",
                                                    "--node-cert-ttl",
                                                    "720h",
                                                    "--audit-log-path",
                                                    "/var/log/fleetset/audit.log",
                                                    "--audit-log-maxsize",
                                                    "50",
                                                    "--audit-log-maxbackup",
                                                    "3"},
                                                   &errors);
  ASSERT_FALSE(parsed.exit) << errors;
  const CoordinatorConfig& config = parsed.config;
  EXPECT_EQ(config.tls_cert_file, "/etc/pki/server.crt");
  EXPECT_EQ(config.client_ca_file, "/etc/pki/ca.crt");
  EXPECT_EQ(config.cluster_signing_key_file, "/etc/pki/ca.key");
  EXPECT_EQ(config.tls_sans, (std::vector<std::string>{"coordinator.example", "10.0.0.5"}));
  EXPECT_EQ(config.node_cert_ttl, std::chrono::hours(720));
  EXPECT_EQ(config.audit_log_path, "/var/log/fleetset/audit.log");
  EXPECT_EQ(config.audit_log_max_size_mb, 50u);
  EXPECT_EQ(config.audit_log_max_backup, 3u);
  // The defaults: thirty days, and an audit log in the data directory.
  EXPECT_EQ(CoordinatorConfig{}.node_cert_ttl, std::chrono::hours(24 * 30));
  EXPECT_EQ(CoordinatorConfig{}.audit_log_path, "");
}

TEST(CoordinatorSecurityFlagsTest, BadValuesNameTheFlag) {
  std::string errors;
  EXPECT_TRUE(ParseFlags({"--node-cert-ttl", "30s"}, &errors).exit);
  EXPECT_THAT(errors, HasSubstr("--node-cert-ttl: \"30s\": must be a duration from 1m to 87600h"));
  EXPECT_TRUE(ParseFlags({"--node-cert-ttl", "100000h"}, &errors).exit);
  EXPECT_THAT(errors, HasSubstr("--node-cert-ttl: \"100000h\""));
  EXPECT_TRUE(ParseFlags({"--tls-cert-file", "server.crt"}, &errors).exit);
  EXPECT_THAT(errors, HasSubstr("--tls-cert-file: \"server.crt\": must be an absolute path"));
}

}  // namespace
}  // namespace fleetset::coordinator
