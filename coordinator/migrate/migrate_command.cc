#include "coordinator/migrate/migrate_command.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "coordinator/coordinator_config.h"
#include "coordinator/migrate/store_copy.h"
#include "coordinator/storage/etcd_client.h"
#include "coordinator/storage/etcd_storage.h"
#include "coordinator/storage/sqlite_storage.h"
#include "fleetset/strings.h"

namespace fleetset::coordinator {

int RunMigrateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Copies a single coordinator's SQLite database into etcd for several coordinators "
      "(--from-data-dir), or etcd's keys into a new SQLite database for a single-node restore "
      "(--to-data-dir). Stop every coordinator of both first. Secrets stay encrypted: copy "
      "pki/ (ca.crt, ca.key, encryption-config.yaml) along.",
      "fleetset-coordinator migrate"};
  std::string from_data_dir;
  std::string to_data_dir;
  std::string servers;
  storage::EtcdOptions etcd;
  auto* from = app.add_option("--from-data-dir", from_data_dir,
                              "The data directory of the SQLite database to copy into etcd")
                   ->type_name("DIR");
  auto* to = app.add_option("--to-data-dir", to_data_dir,
                            "A data directory to make a SQLite database in from etcd's keys")
                 ->type_name("DIR");
  from->excludes(to);
  app.add_option("--etcd-servers", servers, "etcd members, comma-separated (https://HOST:2379,...)")
      ->type_name("URLS")
      ->required();
  app.add_option("--etcd-cafile", etcd.ca_file, "CA of the etcd members' certificates")
      ->type_name("FILE");
  app.add_option("--etcd-certfile", etcd.cert_file, "Client certificate for etcd")
      ->type_name("FILE");
  app.add_option("--etcd-keyfile", etcd.key_file, "Key of --etcd-certfile")->type_name("FILE");
  app.add_option("--etcd-prefix", etcd.prefix, "Where in etcd the fleet's keys live")
      ->type_name("PREFIX")
      ->default_str("/fleetset");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
    if (from_data_dir.empty() && to_data_dir.empty()) {
      throw CLI::RequiredError("--from-data-dir or --to-data-dir");
    }
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, out, err);
    return code == 0 ? 0 : kExitUsage;
  }
  etcd.servers = SplitList(servers);
  try {
    auto sqlite = storage::OpenSqliteStorage(from_data_dir.empty() ? to_data_dir : from_data_dir);
    auto shared = storage::OpenEtcdStorage(etcd);
    const bool into_etcd = !from_data_dir.empty();
    const CopyResult copied = into_etcd ? CopyStore(*sqlite, *shared, RunningStateKeys())
                                        : CopyStore(*shared, *sqlite, RunningStateKeys());
    out << "copied " << copied.copied << " keys "
        << (into_etcd ? "from " + from_data_dir + " into etcd under " + etcd.prefix
                      : "from etcd under " + etcd.prefix + " into " + to_data_dir)
        << "\n";
    return 0;
  } catch (const storage::StorageError& error) {
    err << "fleetset-coordinator migrate: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace fleetset::coordinator
