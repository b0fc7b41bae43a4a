// On etcd as on SQLite, a Secret's data is stored encrypted: what etcd
// holds under the fleet's prefix names the Secret but never its value.
#include <gtest/gtest.h>

#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/etcd_mapping.h"
#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

TEST(SecretsAtRestOnEtcdTest, EtcdHoldsNoSecretsPlaintext) {
  FleetHarness harness;
  ASSERT_TRUE(harness.etcd().has_value());
  harness.StoreSecret("db-credentials", "password", "correct-horse-battery-staple");

  coordinator::storage::EtcdClient client(coordinator::storage::ClientOptions(*harness.etcd()));
  etcdserverpb::RangeRequest range;
  range.set_key(harness.etcd()->prefix);
  range.set_range_end(coordinator::storage::PrefixRangeEnd(harness.etcd()->prefix));
  const etcdserverpb::RangeResponse held = client.Range(range);
  std::string bytes;
  for (const auto& kv : held.kvs()) bytes += kv.key() + "\n" + kv.value() + "\n";
  ASSERT_NE(bytes.find("db-credentials"), std::string::npos) << "the key is readable";
  EXPECT_EQ(bytes.find("correct-horse-battery-staple"), std::string::npos);
}

}  // namespace
}  // namespace fleetset::testing
