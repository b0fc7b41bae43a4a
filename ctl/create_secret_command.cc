// `fleetsetctl create secret generic|tls|docker-registry NAME ...`:
// kubectl's generators. generic takes the data sources of `create
// configmap` (every value goes to data, bytes as they are) and --type; tls
// a certificate and its key (kubernetes.io/tls: tls.crt, tls.key); and
// docker-registry a registry's credentials, as the .dockerconfigjson a
// container runtime reads (kubernetes.io/dockerconfigjson).
#include "commands.h"
#include "config_data_sources.h"
#include "create_object.h"
#include "fleetset/base64.h"
#include "fleetset/config_objects.h"
#include "fleetset/names.h"
#include "fleetset/pki/certificate.h"
#include "fleetset/strings.h"
#include "object_output.h"

namespace fleetset::ctl {
namespace {

constexpr char kDockerHub[] = "https://index.docker.io/v1/";

// kubectl's addKeyFromLiteralToSecret.
std::optional<std::string> AddKeyTo(v1::Secret& secret, const std::string& key, std::string value) {
  if (const std::vector<std::string> problems = CheckConfigMapKey(key); !problems.empty()) {
    return "\"" + key + "\" is not valid key name for a Secret " + Join(problems, ";");
  }
  if (secret.data().contains(key)) {
    return "cannot add key " + key + ", another key by that name already exists";
  }
  (*secret.mutable_data())[key] = std::move(value);
  return std::nullopt;
}

v1::Secret& NewSecret(const std::string& name, const std::string& type, v1::Object* object) {
  v1::Secret& secret = *object->mutable_secret();
  secret.mutable_metadata()->set_name(name);
  secret.set_type(type);
  return secret;
}

AddKey AddingTo(v1::Secret& secret) {
  return [&secret](const std::string& key, std::string value) {
    return AddKeyTo(secret, key, std::move(value));
  };
}

struct GenericOptions {
  DataSources sources;
  std::string type;
};

// Literals, then files, then env files, as kubectl reads them for a
// Secret.
std::optional<std::string> BuildGeneric(const GenericOptions& options, const std::string& name,
                                        v1::Object* object) {
  if (auto problem = CheckDataSources(options.sources)) return problem;
  const AddKey add = AddingTo(NewSecret(name, options.type, object));
  std::optional<std::string> problem = AddFromLiterals(options.sources.literals, add);
  if (!problem) problem = AddFromFiles(options.sources.files, add);
  if (!problem) problem = AddFromEnvFiles(options.sources.env_files, "secret", add);
  return problem;
}

struct TlsOptions {
  std::string cert;
  std::string key;
};

// Go's tls.X509KeyPair, which kubectl runs on the pair before sending it:
// the first certificate of the chain must be the key's.
std::optional<std::string> CheckKeyPair(const std::string& cert, const std::string& key) {
  std::vector<pki::Certificate> chain;
  try {
    chain = pki::Certificate::ChainFromPem(cert);
  } catch (const std::exception&) {
    return cert.find("-----BEGIN CERTIFICATE-----") == std::string::npos
               ? "tls: failed to find any PEM data in certificate input"
               : "tls: failed to parse certificate";
  }
  try {
    if (!chain.front().Matches(pki::PrivateKey::FromPem(key))) {
      return "tls: private key does not match public key";
    }
  } catch (const std::exception&) {
    return key.find("PRIVATE KEY-----") == std::string::npos
               ? "tls: failed to find any PEM data in key input"
               : "tls: failed to parse private key";
  }
  return std::nullopt;
}

std::optional<std::string> BuildTls(const TlsOptions& options, const std::string& name,
                                    v1::Object* object) {
  if (options.cert.empty() || options.key.empty()) return "key and cert must be specified";
  std::string problem;
  const std::optional<std::string> cert = ReadInputFile(options.cert, &problem);
  if (!cert) return problem;
  const std::optional<std::string> key = ReadInputFile(options.key, &problem);
  if (!key) return problem;
  if (auto mismatch = CheckKeyPair(*cert, *key)) return mismatch;
  v1::Secret& secret = NewSecret(name, kSecretTypeTls, object);
  (*secret.mutable_data())["tls.crt"] = *cert;
  (*secret.mutable_data())["tls.key"] = *key;
  return std::nullopt;
}

struct DockerRegistryOptions {
  std::string server = kDockerHub;
  std::string username;
  std::string password;
  std::string email;
  std::vector<std::string> files;
};

// kubectl's generateDockerConfigJSONContent, byte for byte:
// {"auths":{SERVER:{"username":U,"password":P,"email":E,"auth":base64(U:P)}}},
// empty fields left out.
std::string DockerConfigJson(const DockerRegistryOptions& options) {
  std::string entry;
  for (const auto& [field, value] :
       {std::pair<std::string, std::string>{"username", options.username},
        {"password", options.password},
        {"email", options.email},
        {"auth", EncodeBase64(options.username + ":" + options.password)}}) {
    if (value.empty()) continue;
    entry += (entry.empty() ? "" : ",") + JsonQuote(field) + ":" + JsonQuote(value);
  }
  return "{\"auths\":{" + JsonQuote(options.server) + ":{" + entry + "}}}";
}

std::optional<std::string> BuildDockerRegistry(const DockerRegistryOptions& options,
                                               const std::string& name, v1::Object* object) {
  if (options.files.empty() &&
      (options.username.empty() || options.password.empty() || options.server.empty())) {
    return "either --from-file or the combination of --docker-username, --docker-password and "
           "--docker-server is required";
  }
  v1::Secret& secret = NewSecret(name, kSecretTypeDockerConfigJson, object);
  if (!options.files.empty()) return AddFromFiles(options.files, AddingTo(secret));
  (*secret.mutable_data())[".dockerconfigjson"] = DockerConfigJson(options);
  return std::nullopt;
}

void AddGeneric(CLI::App& secret, Io& io, const GlobalOptions& global) {
  static constexpr CreateCommandText kText{
      "generic", "Create a Secret from files, directories, literal values or env files", nullptr};
  auto options = std::make_shared<GenericOptions>();
  CLI::App* command = AddCreateObjectCommand(secret, kText, options, BuildGeneric, io, global);
  AddDataSourceFlags(command, &options->sources, "secret");
  command->add_option("--type", options->type,
                      "The Secret's type (default Opaque), e.g. kubernetes.io/basic-auth");
}

void AddTls(CLI::App& secret, Io& io, const GlobalOptions& global) {
  static constexpr CreateCommandText kText{
      "tls", "Create a kubernetes.io/tls Secret from a certificate and its key", nullptr};
  auto options = std::make_shared<TlsOptions>();
  CLI::App* command = AddCreateObjectCommand(secret, kText, options, BuildTls, io, global);
  command->add_option("--cert", options->cert, "PEM certificate (chain) file: tls.crt")
      ->type_name("PATH");
  command->add_option("--key", options->key, "PEM private key file of that certificate: tls.key")
      ->type_name("PATH");
}

void AddDockerRegistry(CLI::App& secret, Io& io, const GlobalOptions& global) {
  static constexpr CreateCommandText kText{
      "docker-registry",
      "Create a kubernetes.io/dockerconfigjson Secret with a registry's credentials, for "
      "imagePullSecrets",
      nullptr};
  auto options = std::make_shared<DockerRegistryOptions>();
  CLI::App* command =
      AddCreateObjectCommand(secret, kText, options, BuildDockerRegistry, io, global);
  command->add_option("--docker-server", options->server, "The registry's address")
      ->default_str(kDockerHub);
  command->add_option("--docker-username", options->username, "The user name for the registry");
  command->add_option("--docker-password", options->password, "The password for the registry");
  command->add_option("--docker-email", options->email, "An email address for the registry");
  command
      ->add_option("--from-file", options->files,
                   "[KEY=]PATH: the Secret's data from files instead, e.g. "
                   ".dockerconfigjson=~/.docker/config.json; may be repeated")
      ->type_name("[KEY=]PATH");
}

}  // namespace

void AddCreateSecretCommand(CLI::App& create, Io& io, const GlobalOptions& global) {
  CLI::App* secret =
      create.add_subcommand("secret", "Create a Secret: generic, tls or docker-registry");
  secret->require_subcommand(1);
  // Before the subcommands are added: they show these examples too.
  secret->footer(
      "Examples:\n"
      "  fleetsetctl create secret generic es-credentials -n logging "
      "--from-literal=username=elastic --from-file=password=./es-password\n"
      "  fleetsetctl create secret tls fluent-bit-tls -n logging --cert=tls/cert.pem "
      "--key=tls/key.pem\n"
      "  fleetsetctl create secret docker-registry registry-creds -n logging "
      "--docker-server=registry.example.net:5000 --docker-username=fleet "
      "--docker-password=s3cr3t\n");
  AddGeneric(*secret, io, global);
  AddTls(*secret, io, global);
  AddDockerRegistry(*secret, io, global);
}

}  // namespace fleetset::ctl
