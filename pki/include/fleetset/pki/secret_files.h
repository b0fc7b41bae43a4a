// Files that hold keys and credentials: written whole or not at all, with
// their mode set before any byte is written.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace fleetset::pki {

// Writes `contents` to a temporary file in the same directory created with
// `mode` (0600 for keys), fsyncs it, renames it over `path` and fsyncs the
// directory. Creates missing parent directories with mode 0700. Throws
// PkiError naming the path and errno's text.
void WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode = 0600);

// The whole file. Throws PkiError naming the path.
std::string ReadWholeFile(const std::string& path);

// nullopt when `path` is a regular file that group and others cannot read
// or write; otherwise "<path> is readable by others (mode 0644); chmod 600
// it". Throws PkiError when it cannot be stat'ed.
std::optional<std::string> CheckPrivateFileMode(const std::string& path);

}  // namespace fleetset::pki
