#include "coordinator/agenthub/agent_outbox.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "coordinator/frontend/stream_outbox.h"

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

// An agent's server stream as the outbox uses it: one write at a time,
// completed when the test says so (gRPC's OnWriteDone).
struct FakeStream {
  std::vector<v1::CoordinatorMessage> written;
  // The message of the latest write, as gRPC holds it until OnWriteDone.
  const v1::CoordinatorMessage* in_flight = nullptr;
  std::optional<grpc::Status> finished;

  void StartWrite(const v1::CoordinatorMessage* message) {
    written.push_back(*message);
    in_flight = message;
  }
  void Finish(const grpc::Status& status) { finished = status; }
};

class StreamOutboxTest : public ::testing::Test {
 protected:
  std::shared_ptr<std::atomic<int64_t>> queued_ = std::make_shared<std::atomic<int64_t>>(0);
  FakeStream stream_;
  StreamOutbox<FakeStream> outbox_{&stream_, queued_};
};

TEST_F(StreamOutboxTest, SendsASnapshotFirstThenDeltasFromWhatTheAgentHas) {
  outbox_.Offer(Numbered(4));
  ASSERT_EQ(stream_.written.size(), 1u);
  ASSERT_TRUE(stream_.written[0].has_snapshot());
  EXPECT_EQ(stream_.written[0].snapshot().version(), 4u);

  outbox_.WriteDone(true);
  outbox_.Offer(Numbered(9));
  ASSERT_EQ(stream_.written.size(), 2u);
  ASSERT_TRUE(stream_.written[1].has_delta());
  EXPECT_EQ(stream_.written[1].delta().base_version(), 4u);
  EXPECT_EQ(stream_.written[1].delta().version(), 9u);
}

// Every connected agent's stream would otherwise keep a copy of the
// DaemonSets its last message carried until the next state comes.
TEST_F(StreamOutboxTest, KeepsNoCopyOfAMessageOnceItIsWritten) {
  auto state = std::make_shared<v1::DesiredState>();
  state->set_version(1);
  state->add_daemon_sets()->set_revision_hash("5d8f7c6b9");
  outbox_.Offer(state);
  ASSERT_NE(stream_.in_flight, nullptr);
  EXPECT_TRUE(stream_.in_flight->has_snapshot()) << "gRPC reads it until the write is done";

  outbox_.WriteDone(true);
  EXPECT_FALSE(stream_.in_flight->has_snapshot());
  EXPECT_EQ(stream_.in_flight->ByteSizeLong(), 0u);
}

// Two offers to one node that cross on their way from the hub: whichever
// arrives last, the agent gets the newer and never goes back.
TEST_F(StreamOutboxTest, KeepsTheNewerOfTwoOffersThatArriveOutOfOrder) {
  outbox_.Offer(Numbered(1));
  outbox_.Offer(Numbered(5));
  EXPECT_EQ(*queued_, 1) << "the newer state waits for the write in flight";
  outbox_.Offer(Numbered(3));
  EXPECT_EQ(stream_.written.size(), 1u) << "one write in flight at a time";

  outbox_.WriteDone(true);
  ASSERT_EQ(stream_.written.size(), 2u);
  EXPECT_EQ(stream_.written[1].delta().version(), 5u);
  EXPECT_EQ(*queued_, 0);

  outbox_.WriteDone(true);
  outbox_.Offer(Numbered(2));
  EXPECT_EQ(stream_.written.size(), 2u) << "older than what the agent has";
}

TEST_F(StreamOutboxTest, ReplacesAStateNotSentYetAndCountsItOnce) {
  outbox_.Offer(Numbered(1));
  outbox_.Offer(Numbered(2));
  outbox_.Offer(Numbered(3));
  EXPECT_EQ(*queued_, 1);
  outbox_.WriteDone(true);
  ASSERT_EQ(stream_.written.size(), 2u);
  EXPECT_EQ(stream_.written[1].delta().base_version(), 1u);
  EXPECT_EQ(stream_.written[1].delta().version(), 3u) << "2 was never sent";
}

TEST_F(StreamOutboxTest, ClosingWaitsForTheWriteInFlightAndTakesNoMoreOffers) {
  outbox_.Offer(Numbered(1));
  outbox_.Close(ApiError::NotFound("nodes", "n1"));
  EXPECT_FALSE(stream_.finished) << "gRPC allows no Finish while a write is in flight";
  outbox_.Offer(Numbered(2));
  outbox_.WriteDone(true);
  ASSERT_TRUE(stream_.finished);
  EXPECT_EQ(stream_.finished->error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(stream_.written.size(), 1u);
  EXPECT_EQ(*queued_, 0);
}

TEST(StreamOutboxCountTest, AnOutboxGoneWithAStateWaitingLeavesTheCountAsItFoundIt) {
  auto queued = std::make_shared<std::atomic<int64_t>>(0);
  FakeStream stream;
  {
    StreamOutbox<FakeStream> outbox(&stream, queued);
    outbox.Offer(Numbered(1));
    outbox.Offer(Numbered(2));
    EXPECT_EQ(*queued, 1);
  }
  EXPECT_EQ(*queued, 0);
}

}  // namespace
}  // namespace fleetset::coordinator
