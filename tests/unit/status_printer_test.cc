// `fleetset-agent status` as a person at the node reads it.
#include "agent/status_printer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace fleetset::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(FormatBytesTest, UsesBinaryUnitsWithOneDecimal) {
  EXPECT_EQ(FormatBytes(0), "0B");
  EXPECT_EQ(FormatBytes(1023), "1023B");
  EXPECT_EQ(FormatBytes(1536), "1.5Ki");
  EXPECT_EQ(FormatBytes(10ull << 20), "10.0Mi");
  EXPECT_EQ(FormatBytes(3ull << 40), "3.0Ti");
}

std::string Printed(const v1::StatusReport& report) {
  std::ostringstream out;
  PrintStatusReport(report, std::chrono::system_clock::now(), out);
  return out.str();
}

TEST(StatusPrinterTest, ShowsTheImageFilesystemAndContainerLogs) {
  v1::StatusReport report;
  report.set_node_name("node-a");
  report.mutable_disk_usage()->set_image_fs_used_bytes(30ull << 30);
  report.mutable_disk_usage()->set_image_fs_capacity_bytes(40ull << 30);
  report.mutable_disk_usage()->set_container_log_bytes(5ull << 20);
  EXPECT_THAT(Printed(report),
              HasSubstr("Disk:     image filesystem 30.0Gi of 40.0Gi used (75%), container logs "
                        "5.0Mi\n"));
}

TEST(StatusPrinterTest, SaysNothingOfTheDiskBeforeItIsMeasured) {
  v1::StatusReport report;
  report.set_node_name("node-a");
  EXPECT_THAT(Printed(report), Not(HasSubstr("Disk:")));
}

}  // namespace
}  // namespace fleetset::agent
