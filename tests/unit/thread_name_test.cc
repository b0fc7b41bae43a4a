#include "daemon/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace fleetset {
namespace {

std::string NameSeenOnAThreadNamed(std::string_view name) {
  std::string seen;
  std::thread thread([&] {
    NameCurrentThread(name);
    seen = CurrentThreadName();
  });
  thread.join();
  return seen;
}

TEST(ThreadNameTest, AThreadCarriesTheNameItWasGiven) {
  EXPECT_EQ(NameSeenOnAThreadNamed("report-intake"), "report-intake");
}

TEST(ThreadNameTest, ANameLongerThanTheKernelKeepsIsCutToFifteenCharacters) {
  // Unshortened, pthread_setname_np refuses the name and the thread keeps
  // the program's.
  EXPECT_EQ(NameSeenOnAThreadNamed("daemonset-controller"), "daemonset-contr");
}

TEST(ThreadNameTest, NamingOneThreadLeavesTheCallersName) {
  const std::string before = CurrentThreadName();
  NameSeenOnAThreadNamed("etcd-watch");
  EXPECT_EQ(CurrentThreadName(), before);
}

}  // namespace
}  // namespace fleetset
