# Runs at install time (install(CODE) in packaging/CMakeLists.txt), with the
# prefix given to `cmake --install --prefix` (or cpack's /usr) in
# CMAKE_INSTALL_PREFIX and the staging root, if any, in $ENV{DESTDIR}.
#
# * Unit files go to <prefix>/lib/systemd/system. Their paths are written for
#   the prefix /usr (/usr/bin/..., /etc/fleetset/...); under another prefix
#   they are rewritten to it, so ExecStart= names the installed program.
# * The default configuration files go to <sysconfdir>/fleetset, but an
#   existing file that differs from the default is an operator's edit and is
#   kept: the new default is installed next to it as <name>.dist, as dpkg
#   keeps a conffile and leaves the package's version as .dpkg-dist.

string(REGEX REPLACE "(.)/+$" "\\1" prefix "${CMAKE_INSTALL_PREFIX}")

# /etc for the prefixes / and /usr, /etc/opt/... for /opt/..., else
# <prefix>/etc: GNUInstallDirs' rule, applied to the install-time prefix.
if(IS_ABSOLUTE "${FLEETSET_SYSCONFDIR}")
  set(sysconfdir "${FLEETSET_SYSCONFDIR}")
elseif(prefix STREQUAL "/" OR prefix STREQUAL "/usr")
  set(sysconfdir "/${FLEETSET_SYSCONFDIR}")
elseif(prefix MATCHES "^/opt/(.*)")
  set(sysconfdir "/${FLEETSET_SYSCONFDIR}/opt/${CMAKE_MATCH_1}")
else()
  set(sysconfdir "${prefix}/${FLEETSET_SYSCONFDIR}")
endif()
string(REGEX REPLACE "^//" "/" sysconfdir "${sysconfdir}")

function(fleetset_full_path out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  elseif(prefix STREQUAL "/")
    set(${out} "/${dir}" PARENT_SCOPE)
  else()
    set(${out} "${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
fleetset_full_path(bindir "${FLEETSET_BINDIR}")
fleetset_full_path(docdir "${FLEETSET_DOCDIR}")
fleetset_full_path(unitdir "${FLEETSET_UNITDIR}")

# Unit files, paths adjusted to where things are installed.
# Staged per prefix, so installs to different prefixes do not share a copy.
string(MD5 prefix_hash "${prefix}")
set(staging "${FLEETSET_STAGING_DIR}/${prefix_hash}")
file(MAKE_DIRECTORY "${staging}")
foreach(unit fleetset-agent.service fleetset-coordinator.service)
  file(READ "${FLEETSET_SOURCE_DIR}/systemd/${unit}" text)
  string(REPLACE "=/usr/bin/" "=${bindir}/" text "${text}")
  string(REPLACE " /etc/fleetset/" " ${sysconfdir}/fleetset/" text "${text}")
  string(REPLACE "file:/usr/share/doc/fleetset/" "file:${docdir}/" text "${text}")
  # Only rewrite the staged copy when it changes, so a repeated install
  # reports it up to date.
  set(staged "${staging}/${unit}")
  set(old "")
  if(EXISTS "${staged}")
    file(READ "${staged}" old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${staged}" "${text}")
  endif()
  file(INSTALL FILES "${staged}" DESTINATION "${unitdir}"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()

# Default configuration, never overwriting an operator's edits.
foreach(config agent.yaml coordinator.yaml)
  set(source "${FLEETSET_SOURCE_DIR}/config/${config}")
  set(target "$ENV{DESTDIR}${sysconfdir}/fleetset/${config}")
  set(keep FALSE)
  if(EXISTS "${target}" AND NOT IS_DIRECTORY "${target}")
    file(SHA256 "${source}" new_sum)
    file(SHA256 "${target}" old_sum)
    if(NOT new_sum STREQUAL old_sum)
      set(keep TRUE)
    endif()
  endif()
  if(keep)
    message(STATUS "Keeping: ${target} (edited; the new default is ${config}.dist next to it)")
    file(INSTALL FILES "${source}" DESTINATION "${sysconfdir}/fleetset"
      RENAME "${config}.dist" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  else()
    file(INSTALL FILES "${source}" DESTINATION "${sysconfdir}/fleetset"
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endforeach()
