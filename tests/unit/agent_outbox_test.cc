#include "coordinator/agenthub/agent_outbox.h"

#include <gtest/gtest.h>

namespace fleetset::coordinator {
namespace {

std::shared_ptr<const v1::DesiredState> Numbered(uint64_t version) {
  auto state = std::make_shared<v1::DesiredState>();
  state->set_version(version);
  return state;
}

// The hub offers outside its lock, so an outbox may be handed an older
// state after a newer one; it must keep the newer.
TEST(AgentOutboxTest, AStateOlderThanTheOneHeldIsOlderAndNoOtherIs) {
  EXPECT_FALSE(OlderThan(*Numbered(7), nullptr)) << "the first state is always taken";
  EXPECT_TRUE(OlderThan(*Numbered(6), Numbered(7)));
  EXPECT_FALSE(OlderThan(*Numbered(7), Numbered(7)));
  EXPECT_FALSE(OlderThan(*Numbered(8), Numbered(7)));
}

}  // namespace
}  // namespace fleetset::coordinator
