// What the PKI tests share.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "fleetset/pki/pki_error.h"

namespace fleetset::testing {

// The message of the PkiError `read` throws, or a failure when it throws
// none.
template <typename Read>
std::string ErrorOf(Read read) {
  try {
    read();
  } catch (const pki::PkiError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no PkiError";
  return {};
}

}  // namespace fleetset::testing
