#!/usr/bin/env bash
# Packaging test (ctest: Packaging.DebAndInstall, label packaging).
#
#   tests/packaging/package_test.sh SOURCE_DIR BUILD_DIR VERSION
#
# Builds the .deb with cpack into a scratch directory and checks it: control
# fields and library dependencies, every file with its mode and owner,
# conffiles, the maintainer scripts (syntax, and what they ask of systemd,
# run against a stand-in systemctl), the extracted unit files under
# `systemd-analyze verify`, the extracted programs and man pages. Then runs
# `cmake --install --prefix /usr` into a DESTDIR twice, with an operator's
# edit of agent.yaml in between, and once with --prefix /usr/local.
# Everything happens in a scratch directory that is removed at the end;
# nothing is installed on this machine.
# shellcheck disable=SC2015  # pass never fails
set -euo pipefail

source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
version=$3

scratch=$(mktemp -d "${TMPDIR:-/tmp}/fleetset-packaging.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }
need() {
  command -v "$1" >/dev/null || { echo "FAIL: $1 is not installed (scripts/install-deps.sh)" >&2; exit 1; }
}
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze help2man gzip; do need "$tool"; done

programs=(agent/fleetset-agent coordinator/fleetset-coordinator ctl/fleetsetctl)
for program in "${programs[@]}"; do
  [[ -x $build_dir/$program ]] || { echo "FAIL: build $build_dir/$program first" >&2; exit 1; }
done

# ---------------------------------------------------------------- the .deb
echo "== cpack -G DEB"
if ! cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1; then
  cat "$scratch/cpack.log" >&2
  echo "FAIL: cpack" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
deb=$scratch/pkg/fleetset_${version}_${arch}.deb
[[ -f $deb ]] || { ls -l "$scratch/pkg" >&2; echo "FAIL: no $deb" >&2; exit 1; }
pass "built $(basename "$deb")"

echo "== control fields"
dpkg-deb --info "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
expect_field() {
  local actual
  actual=$(field "$1")
  if [[ $actual == "$2" ]]; then pass "$1: $actual"; else fail "$1 is '$actual', want '$2'"; fi
}
expect_field Package fleetset
expect_field Version "$version"
expect_field Architecture "$arch"
expect_field Section admin
expect_field Priority optional
expect_field Recommends containerd
[[ $(field Maintainer) == *@* ]] && pass "Maintainer: $(field Maintainer)" || fail "no Maintainer address"
[[ $(field Description) == *DaemonSet* ]] && pass "Description" || fail "Description: $(field Description)"

# Depends names the package of every library the programs link, found the
# way dpkg does: the file ldd resolves, and the package that owns it.
depends=$(field Depends)
depends_names=" $(sed -E 's/\([^)]*\)//g; s/[,|]/ /g' <<<"$depends" | tr -s ' ') "
for program_and_lib in agent/fleetset-agent:libc.so.6 agent/fleetset-agent:libstdc++.so.6 \
    agent/fleetset-agent:libgrpc++.so agent/fleetset-agent:libprotobuf.so \
    agent/fleetset-agent:libyaml-cpp.so agent/fleetset-agent:libsystemd.so.0 \
    coordinator/fleetset-coordinator:libsqlite3.so.0; do
  program=${program_and_lib%%:*}
  lib=${program_and_lib#*:}
  path=$(ldd "$build_dir/$program" | awk -v lib="$lib" 'index($1, lib) == 1 && !found { print $3; found = 1 }')
  if [[ -z $path ]]; then fail "$program does not link $lib"; continue; fi
  # /lib is /usr/lib on merged-/usr systems; dpkg knows only one of the two.
  owner=
  real=$(readlink -f "$path")
  for candidate in "$path" "$real" "${path#/usr}" "${real#/usr}" "/usr${path#/usr}" "/usr${real#/usr}"; do
    owner=$(dpkg -S "$candidate" 2>/dev/null | sed -n 1p) && [[ -n $owner ]] && break
  done
  owner=${owner%%:*}
  if [[ -z $owner ]]; then fail "no package owns $path"; continue; fi
  if [[ $depends_names == *" $owner "* ]]; then pass "Depends on $owner ($lib)"; else fail "Depends lacks $owner ($lib): $depends"; fi
done
if [[ $depends == *containerd* ]]; then fail "containerd must be recommended, not required: $depends"; fi

echo "== contents"
dpkg-deb --contents "$deb" >"$scratch/contents"
# path -> "mode owner"
declare -A expected=(
  [./usr/bin/fleetset-agent]="-rwxr-xr-x root/root"
  [./usr/bin/fleetset-coordinator]="-rwxr-xr-x root/root"
  [./usr/bin/fleetsetctl]="-rwxr-xr-x root/root"
  [./usr/lib/systemd/system/fleetset-agent.service]="-rw-r--r-- root/root"
  [./usr/lib/systemd/system/fleetset-coordinator.service]="-rw-r--r-- root/root"
  [./etc/fleetset/agent.yaml]="-rw-r--r-- root/root"
  [./etc/fleetset/coordinator.yaml]="-rw-r--r-- root/root"
  [./usr/share/man/man8/fleetset-agent.8.gz]="-rw-r--r-- root/root"
  [./usr/share/man/man8/fleetset-coordinator.8.gz]="-rw-r--r-- root/root"
  [./usr/share/man/man1/fleetsetctl.1.gz]="-rw-r--r-- root/root"
  [./usr/share/doc/fleetset/README.md]="-rw-r--r-- root/root"
)
for doc in "$source_dir"/docs/*.md; do
  expected[./usr/share/doc/fleetset/$(basename "$doc")]="-rw-r--r-- root/root"
done
for example in "$source_dir"/config/examples/*.yaml; do
  expected[./usr/share/doc/fleetset/examples/$(basename "$example")]="-rw-r--r-- root/root"
done
declare -A seen=()
while read -r mode owner _size _date _time path rest; do
  [[ -z $rest ]] || { fail "unexpected entry: $path $rest"; continue; }
  if [[ $mode == d* ]]; then
    [[ $mode == drwxr-xr-x && $owner == root/root ]] || fail "directory $path is $mode $owner"
    continue
  fi
  seen[$path]=1
  if [[ -z ${expected[$path]:-} ]]; then
    fail "unexpected file in the package: $mode $owner $path"
  elif [[ "$mode $owner" != "${expected[$path]}" ]]; then
    fail "$path is $mode $owner, want ${expected[$path]}"
  fi
done <"$scratch/contents"
for path in "${!expected[@]}"; do
  [[ -n ${seen[$path]:-} ]] || fail "missing from the package: $path"
done
pass "contents: ${#seen[@]} files checked"

echo "== control archive"
control=$scratch/control
dpkg-deb --control "$deb" "$control"
printf '/etc/fleetset/agent.yaml\n/etc/fleetset/coordinator.yaml\n' >"$scratch/want-conffiles"
if diff -u "$scratch/want-conffiles" "$control/conffiles"; then pass "conffiles"; else fail "conffiles"; fi
for script in postinst prerm postrm; do
  [[ -f $control/$script ]] || { fail "no $script"; continue; }
  [[ $(stat -c %a "$control/$script") == 755 ]] || fail "$script mode $(stat -c %a "$control/$script")"
  head -n1 "$control/$script" | grep -qx '#!/bin/sh' || fail "$script is not #!/bin/sh"
  grep -qx 'set -e' "$control/$script" || fail "$script lacks set -e"
  sh -n "$control/$script" || fail "$script: sh -n"
  if command -v dash >/dev/null; then dash -n "$control/$script" || fail "$script: dash -n"; fi
  if command -v shellcheck >/dev/null; then shellcheck -s sh "$control/$script" || fail "$script: shellcheck"; fi
done
pass "maintainer scripts: syntax"

# Runs a maintainer script against stand-ins: systemd "running" means a
# scratch /run/systemd/system exists, and systemctl/deb-systemd-invoke only
# record their arguments. Paths the scripts touch are moved into scratch.
fake=$scratch/fake
mkdir -p "$fake/bin" "$fake/run-systemd" "$fake/etc-systemd/multi-user.target.wants" "$fake/var-lib"
for tool in systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$fake" >"$fake/bin/$tool"
  chmod +x "$fake/bin/$tool"
done
run_script() {  # SCRIPT ARGS...: prints the calls it made
  local script=$1
  shift
  sed -e "s#/run/systemd/system#$fake/run-systemd#g" -e "s#/etc/systemd/system#$fake/etc-systemd#g" \
    -e "s#/var/lib/#$fake/var-lib/#g" "$control/$script" >"$fake/$script"
  rm -f "$fake/calls"
  touch "$fake/calls"
  PATH="$fake/bin:$PATH" sh "$fake/$script" "$@" 2>"$fake/stderr" || echo "exit $?" >>"$fake/calls"
  cat "$fake/calls"
}
expect_calls() {  # WANT SCRIPT ARGS...
  local want=$1 got
  shift
  got=$(run_script "$@" | tr '\n' ';')
  if [[ $got == "$want" ]]; then pass "$* -> ${got:-nothing}"; else fail "$*: called '$got', want '$want'"; fi
}
expect_calls "systemctl --system daemon-reload;" postinst configure
expect_calls "systemctl --system daemon-reload;deb-systemd-invoke try-restart fleetset-agent.service fleetset-coordinator.service;" \
  postinst configure 0.0.1
expect_calls "deb-systemd-invoke stop fleetset-agent.service fleetset-coordinator.service;" prerm remove
expect_calls "" prerm upgrade "$version"
expect_calls "systemctl --system daemon-reload;" postrm remove
expect_calls "" postrm upgrade "$version"
# Purge: a dangling enablement link goes, a link to an operator's unit stays.
ln -s /nonexistent/fleetset-agent.service "$fake/etc-systemd/multi-user.target.wants/fleetset-agent.service"
touch "$fake/operator.service"
ln -s "$fake/operator.service" "$fake/etc-systemd/multi-user.target.wants/fleetset-coordinator.service"
expect_calls "systemctl --system daemon-reload;" postrm purge
[[ ! -L $fake/etc-systemd/multi-user.target.wants/fleetset-agent.service ]] || fail "purge kept a dangling link"
[[ -L $fake/etc-systemd/multi-user.target.wants/fleetset-coordinator.service ]] || fail "purge removed a live link"
# Without systemd running, nothing is asked of it.
rmdir "$fake/run-systemd"
expect_calls "" postinst configure
expect_calls "" prerm remove
expect_calls "" postrm remove
# Nothing is ever enabled or started.
if grep -nE '(systemctl|deb-systemd-invoke|deb-systemd-helper)[^#]*[[:space:]](enable|start|reenable|unmask)([[:space:]]|$)' \
    "$control"/postinst "$control"/prerm "$control"/postrm; then
  fail "a maintainer script enables or starts a unit"
fi

# ---------------------------------------------------------------- extracted
echo "== extracted files"
root=$scratch/root
dpkg-deb -x "$deb" "$root"
for name in fleetset-agent fleetset-coordinator fleetsetctl; do
  out=$("$root/usr/bin/$name" --version 2>&1) || fail "$name --version exited $?"
  [[ $out == "$name v$version" ]] && pass "$name --version: $out" || fail "$name --version: $out"
  "$root/usr/bin/$name" --help >/dev/null || fail "$name --help"
done
for config in agent.yaml coordinator.yaml; do
  cmp "$source_dir/config/$config" "$root/etc/fleetset/$config" || fail "/etc/fleetset/$config differs from config/$config"
done
for doc in "$source_dir"/README.md "$source_dir"/docs/*.md; do
  cmp "$doc" "$root/usr/share/doc/fleetset/$(basename "$doc")" || fail "doc $(basename "$doc") differs"
done
for example in "$source_dir"/config/examples/*.yaml; do
  cmp "$example" "$root/usr/share/doc/fleetset/examples/$(basename "$example")" || fail "example $(basename "$example") differs"
done
pass "configs, docs and examples match the source"
for page in man8/fleetset-agent.8 man8/fleetset-coordinator.8 man1/fleetsetctl.1; do
  file=$root/usr/share/man/$page.gz
  name=$(basename "$page")
  name=${name%.*}
  gzip -t "$file" || { fail "$page.gz is not gzip"; continue; }
  zcat "$file" >"$scratch/page"
  grep -q "^\.TH \"\?${name^^}\"\? " "$scratch/page" || fail "$page has no .TH $name"
  if command -v man >/dev/null; then
    text=$(MANWIDTH=80 man -l "$file" 2>/dev/null || true)
    [[ -n $text ]] || fail "man -l $page printed nothing"
  else
    # The roff source: "\-" is how it writes a plain hyphen.
    text=$(sed 's/\\-/-/g' "$scratch/page")
  fi
  for section in NAME SYNOPSIS OPTIONS "SEE ALSO"; do
    grep -qE "^(\.SH \"?)?$section" <<<"$text" || fail "$page has no $section section"
  done
  grep -q -- "--version" <<<"$text" || fail "$page does not list --version"
  pass "man page $page ($(wc -l <<<"$text") lines)"
done

echo "== unit files"
for unit in fleetset-agent.service fleetset-coordinator.service; do
  installed=$root/usr/lib/systemd/system/$unit
  # Under the prefix /usr the unit is the source's, byte for byte.
  cmp "$source_dir/systemd/$unit" "$installed" || fail "$unit differs from systemd/$unit"
  # Every absolute program and file the unit names under /usr or /etc/fleetset is in the package.
  while read -r path; do
    [[ -e $root$path ]] && pass "$unit names $path, packaged" || fail "$unit names $path, not in the package"
  done < <(grep -E '^Exec[A-Za-z]*=' "$installed" | grep -oE '(/usr/[^ ]+|/etc/fleetset/[^ ]+)' | sort -u)
  # systemd-analyze verify, with ExecStart= pointing into the extracted root
  # (as tests/support/unit_file.cc does for the build tree).
  mkdir -p "$scratch/verify"
  sed -E "s#^(Exec[A-Za-z]*=)/usr/bin/#\\1$root/usr/bin/#" "$installed" >"$scratch/verify/$unit"
  if out=$(systemd-analyze verify --man=no "$scratch/verify/$unit" 2>&1) && [[ $out != *"$unit"* ]]; then
    pass "systemd-analyze verify $unit"
  else
    fail "systemd-analyze verify $unit: $out"
  fi
done
# And verify the units in place, in a root made of the extracted package plus
# what any system has: systemd's own units (sysinit.target, ...) and
# /bin/kill. There, verify also checks that ExecStart='s program exists.
vroot=$scratch/vroot
cp -a "$root" "$vroot"
mkdir -p "$vroot/lib/systemd" "$vroot/bin"
cp -a /lib/systemd/system "$vroot/lib/systemd/system"
cp /bin/kill "$vroot/bin/kill"
if out=$(systemd-analyze verify --man=no --root="$vroot" \
    /usr/lib/systemd/system/fleetset-agent.service /usr/lib/systemd/system/fleetset-coordinator.service 2>&1) &&
    [[ $out != *fleetset-* ]]; then
  pass "systemd-analyze verify --root"
else
  fail "systemd-analyze verify --root: $out"
fi

# ---------------------------------------------------------------- cmake --install
echo "== cmake --install --prefix /usr, twice, with an edit in between"
destdir=$scratch/destdir
DESTDIR=$destdir cmake --install "$build_dir" --prefix /usr >"$scratch/install1.log" 2>&1 ||
  { cat "$scratch/install1.log" >&2; fail "first cmake --install"; }
# The same files as the package, and the same contents but for stripping.
(cd "$destdir" && find . -type f | sort) >"$scratch/installed-files"
printf '%s\n' "${!expected[@]}" | sort >"$scratch/expected-files"
diff -u "$scratch/expected-files" "$scratch/installed-files" && pass "cmake --install: the package's files" ||
  fail "cmake --install installs other files than the package"
for path in "${!expected[@]}"; do
  [[ $path == ./usr/bin/* ]] && continue
  cmp "$root/$path" "$destdir/$path" || fail "$path: cmake --install and the package differ"
done
printf '\n# Edited by the operator.\nlogLevel: debug\n' >>"$destdir/etc/fleetset/agent.yaml"
cp "$destdir/etc/fleetset/agent.yaml" "$scratch/edited-agent.yaml"
DESTDIR=$destdir cmake --install "$build_dir" --prefix /usr >"$scratch/install2.log" 2>&1 ||
  { cat "$scratch/install2.log" >&2; fail "second cmake --install"; }
cat "$scratch/install2.log"
cmp "$scratch/edited-agent.yaml" "$destdir/etc/fleetset/agent.yaml" && pass "the edited agent.yaml is kept" ||
  fail "the second install overwrote the edited agent.yaml"
cmp "$source_dir/config/agent.yaml" "$destdir/etc/fleetset/agent.yaml.dist" && pass "the new default is agent.yaml.dist" ||
  fail "no agent.yaml.dist with the new default"
grep -q "Keeping: .*/etc/fleetset/agent.yaml" "$scratch/install2.log" && pass "the install says so" ||
  fail "the second install does not say it kept agent.yaml"
[[ ! -e $destdir/etc/fleetset/coordinator.yaml.dist ]] || fail "unedited coordinator.yaml got a .dist"
cmp "$source_dir/config/coordinator.yaml" "$destdir/etc/fleetset/coordinator.yaml" || fail "coordinator.yaml changed"

echo "== cmake --install --prefix /usr/local"
local_root=$scratch/local
DESTDIR=$local_root cmake --install "$build_dir" --prefix /usr/local >"$scratch/install3.log" 2>&1 ||
  { cat "$scratch/install3.log" >&2; fail "cmake --install --prefix /usr/local"; }
unit=$local_root/usr/local/lib/systemd/system/fleetset-agent.service
grep -qx 'ExecStart=/usr/local/bin/fleetset-agent --config /usr/local/etc/fleetset/agent.yaml' "$unit" &&
  pass "/usr/local unit runs /usr/local/bin/fleetset-agent" || fail "/usr/local unit: $(grep ExecStart "$unit")"
grep -qx 'ExecStart=/usr/local/bin/fleetset-coordinator --config /usr/local/etc/fleetset/coordinator.yaml' \
  "$local_root/usr/local/lib/systemd/system/fleetset-coordinator.service" || fail "/usr/local coordinator unit"
for path in usr/local/bin/fleetset-agent usr/local/etc/fleetset/agent.yaml usr/local/share/man/man8/fleetset-agent.8.gz; do
  [[ -e $local_root/$path ]] || fail "/usr/local install lacks /$path"
done

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all packaging checks passed"
