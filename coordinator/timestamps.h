// Conversions between the coordinator's wall clock and protobuf timestamps.
#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <chrono>

namespace fleetset::coordinator {

inline google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point time) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count());
}

inline std::chrono::system_clock::time_point FromTimestamp(
    const google::protobuf::Timestamp& timestamp) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(timestamp))));
}

}  // namespace fleetset::coordinator
