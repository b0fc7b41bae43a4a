// fleetsetctl apply --dry-run=client, run as the real program: no
// coordinator, every error printed with its path, non-zero exit on errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CommandResult Ctl(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv{BuiltProgram("ctl/fleetsetctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, input);
}

TEST(CtlDryRun, AcceptsEveryDocumentOfAValidFile) {
  CommandResult result =
      Ctl({"apply", "--dry-run=client", "-f", SourcePath("tests/data/ctl/two-valid.yaml")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "daemonset.apps/node-exporter created (dry run)\n"
            "daemonset.apps/log-shipper created (dry run)\n");
  EXPECT_EQ(result.err, "");
}

TEST(CtlDryRun, ReportsEveryErrorWithItsPathAndFails) {
  CommandResult result =
      Ctl({"apply", "--dry-run=client", "-f", SourcePath("tests/data/ctl/broken.yaml")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("DaemonSet \"Broken_Name\" is invalid"));
  EXPECT_THAT(result.err, HasSubstr("* metadata.name: Invalid value: \"Broken_Name\""));
  EXPECT_THAT(result.err, HasSubstr("* spec.template.spec.restartPolicy: Unsupported value "
                                    "\"Never\": must be \"Always\""));
  EXPECT_THAT(result.err, HasSubstr("* spec.template.spec.containers[1].name: Duplicate value: "
                                    "\"main\""));
  EXPECT_THAT(result.err, HasSubstr("* spec.template.spec.containers[1].image: Required value"));
}

TEST(CtlDryRun, ReadsStandardInput) {
  std::ifstream file(SourcePath("tests/data/ctl/two-valid.yaml"));
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CommandResult result = Ctl({"apply", "--dry-run=client", "-f", "-"}, text);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("daemonset.apps/log-shipper created (dry run)"));
}

TEST(CtlDryRun, ReadsADirectoryAndFailsWhenAnyFileIsInvalid) {
  CommandResult result = Ctl({"apply", "--dry-run=client", "-f", SourcePath("tests/data/ctl")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("broken.yaml: DaemonSet \"Broken_Name\" is invalid"));
  // The valid documents are still named, but marked as not applied.
  EXPECT_THAT(result.out, HasSubstr("daemonset.apps/node-exporter created (dry run; not applied"));
}

TEST(CtlDryRun, UnknownFieldIsAnErrorNamingTheField) {
  const std::string manifest = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: x}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
      - name: x
        image: busybox
        imagePullPolicyy: Always
)";
  CommandResult result = Ctl({"apply", "--dry-run=client", "-f", "-"}, manifest);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("spec.template.spec.containers[0].imagePullPolicyy: unknown field"));
}

TEST(CtlDryRun, OtherKindsAreRejectedClearly) {
  const std::string manifest = R"(apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: x}
spec: {}
)";
  CommandResult result = Ctl({"create", "--dry-run=client", "-f", "-"}, manifest);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("kind ReplicaSet is not supported"));
}

TEST(CtlDryRun, MissingFileIsOneClearLine) {
  CommandResult result = Ctl({"apply", "--dry-run=client", "-f", "/nonexistent/ds.yaml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "error: the path \"/nonexistent/ds.yaml\" does not exist\n");
}

TEST(CtlDryRun, EmptyInputIsAnError) {
  CommandResult result = Ctl({"apply", "--dry-run=client", "-f", "-"}, "# nothing\n");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "error: no objects passed to apply\n");
}

TEST(Programs, EachHasHelpAndVersion) {
  for (const std::string program :
       {"ctl/fleetsetctl", "agent/fleetset-agent", "coordinator/fleetset-coordinator"}) {
    CommandResult version = RunCommand({BuiltProgram(program), "--version"});
    EXPECT_EQ(version.exit_code, 0) << program;
    EXPECT_THAT(version.out, HasSubstr(" v0.")) << program;
    CommandResult help = RunCommand({BuiltProgram(program), "--help"});
    EXPECT_EQ(help.exit_code, 0) << program;
    EXPECT_THAT(help.out, HasSubstr("Usage:")) << program;
    EXPECT_THAT(help.out, HasSubstr("--version")) << program;
  }
}

}  // namespace
}  // namespace fleetset::testing
