#include "coordinator/api/token_api.h"

#include "coordinator/timestamps.h"
#include "fleetset/duration.h"
#include "fleetset/pki/bootstrap_token.h"

namespace fleetset::coordinator {

CreatedToken TokenApi::Create(const Caller& caller, std::chrono::seconds ttl,
                              const std::string& description) {
  if (ttl.count() < 0) throw ApiError::BadRequest("ttl: must not be negative");
  for (int attempt = 0;; ++attempt) {
    const pki::BootstrapToken token = pki::GenerateBootstrapToken();
    v1::BootstrapToken record;
    record.mutable_metadata()->set_name(token.id);
    record.mutable_spec()->set_secret_hash(pki::HashTokenSecret(token));
    record.mutable_spec()->set_description(description);
    record.mutable_spec()->set_created_by(caller.name);
    if (ttl.count() > 0) {
      *record.mutable_spec()->mutable_expires() = ToTimestamp(clock_.WallNow() + ttl);
    }
    try {
      return {token.ToString(), registries_.bootstrap_tokens.Create(caller, std::move(record))};
    } catch (const ApiError& error) {
      // 36^6 ids: a clash is rare, and another draw settles it.
      if (error.reason() != ApiError::Reason::kAlreadyExists || attempt >= 3) throw;
    }
  }
}

std::vector<v1::BootstrapToken> TokenApi::List(const Caller&) {
  return registries_.bootstrap_tokens.List().items;
}

void TokenApi::Delete(const Caller& caller, const std::string& id) {
  if (id.empty()) throw ApiError::BadRequest("id: Required value");
  registries_.bootstrap_tokens.Delete(caller, "", id);
}

void TokenApi::Check(const std::string& text) const {
  const std::optional<pki::BootstrapToken> token = pki::ParseBootstrapToken(text);
  if (!token) {
    throw ApiError::Unauthorized("bootstrap token: malformed (want [a-z0-9]{6}.[a-z0-9]{16})");
  }
  const std::optional<v1::BootstrapToken> record = registries_.bootstrap_tokens.Find("", token->id);
  if (!record ||
      !pki::ConstantTimeEquals(record->spec().secret_hash(), pki::HashTokenSecret(*token))) {
    throw ApiError::Unauthorized("bootstrap token " + token->id + " is not valid");
  }
  if (record->spec().has_expires() && FromTimestamp(record->spec().expires()) <= clock_.WallNow()) {
    throw ApiError::Unauthorized(
        "bootstrap token " + token->id + " expired at " +
        google::protobuf::util::TimeUtil::ToString(record->spec().expires()));
  }
}

}  // namespace fleetset::coordinator
