#include "app/ballot_seal.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "domain/state_lookup.hpp"

namespace majlis::app {

namespace {

constexpr size_t nonce_bytes = 12;
constexpr size_t tag_bytes = 16;
constexpr size_t pad_bytes = 64;  // a ballot (at most 20 choices) always fits one block
constexpr std::string_view hkdf_salt = "majlis/ballot-seal/v1";
constexpr std::string_view hkdf_info_prefix = "secret ballot choices of meeting ";
constexpr char ballot_kind = 'b';  // associated data: a voter's choices
constexpr char tally_kind = 't';   // associated data: a snapshot's running tally

bool counting_in_secret(const v1::Poll& poll) {
  return poll.secrecy() == v1::POLL_SECRECY_SECRET &&
         (poll.status() == v1::POLL_STATUS_DRAFT || poll.status() == v1::POLL_STATUS_OPEN);
}

using cipher_context = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void append_length_prefixed(std::string& out, std::string_view part) {
  const auto size = static_cast<uint32_t>(part.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(part);
}

}  // namespace

ballot_seal::ballot_seal(std::string_view signing_secret, std::string meeting_id)
    : meeting_id_(std::move(meeting_id)) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
      EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free);
  const std::string info = std::string(hkdf_info_prefix) + meeting_id_;
  std::array<unsigned char, 64> derived{};
  size_t length = derived.size();
  if (!context || EVP_PKEY_derive_init(context.get()) <= 0 ||
      EVP_PKEY_CTX_set_hkdf_md(context.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_salt(context.get(), bytes_of(hkdf_salt), int(hkdf_salt.size())) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_key(context.get(), bytes_of(signing_secret),
                                 int(signing_secret.size())) <= 0 ||
      EVP_PKEY_CTX_add1_hkdf_info(context.get(), bytes_of(info), int(info.size())) <= 0 ||
      EVP_PKEY_derive(context.get(), derived.data(), &length) <= 0 || length != derived.size())
    throw std::runtime_error("cannot derive the ballot sealing key (HKDF-SHA256)");
  std::copy(derived.begin(), derived.begin() + 32, key_.begin());
  std::copy(derived.begin() + 32, derived.end(), nonce_key_.begin());
}

std::string ballot_seal::associated_data(char what, std::string_view poll_id,
                                         std::string_view subject) const {
  std::string aad(1, static_cast<char>(ballot_seal_version));
  aad.push_back(what);
  append_length_prefixed(aad, meeting_id_);
  append_length_prefixed(aad, poll_id);
  append_length_prefixed(aad, subject);
  return aad;
}

std::optional<std::string> ballot_seal::seal(std::string_view poll_id, std::string_view voter_id,
                                             const std::vector<uint32_t>& choices) const {
  return seal_values(associated_data(ballot_kind, poll_id, voter_id), choices);
}

std::optional<std::vector<uint32_t>> ballot_seal::open(std::string_view poll_id,
                                                       std::string_view voter_id,
                                                       std::string_view sealed) const {
  return open_values(associated_data(ballot_kind, poll_id, voter_id), sealed);
}

std::optional<std::string> ballot_seal::seal_values(const std::string& aad,
                                                    const std::vector<uint32_t>& values,
                                                    bool repeatable) const {
  v1::Ballot plain;
  for (uint32_t value : values) plain.add_choices(value);
  // Padded to a multiple of pad_bytes, so the length does not tell how many options a voter
  // chose: [2-byte length][serialized Ballot][zeros].
  const std::string encoded = plain.SerializeAsString();
  if (encoded.size() > 0xffff) return std::nullopt;
  const size_t padded = (2 + encoded.size() + pad_bytes - 1) / pad_bytes * pad_bytes;
  std::string plaintext(padded, '\0');
  plaintext[0] = static_cast<char>(encoded.size() >> 8);
  plaintext[1] = static_cast<char>(encoded.size() & 0xff);
  plaintext.replace(2, encoded.size(), encoded);

  std::string out(1 + nonce_bytes + plaintext.size() + tag_bytes, '\0');
  out[0] = static_cast<char>(ballot_seal_version);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  auto* cipher_text = nonce + nonce_bytes;
  if (repeatable) {
    const std::string input = aad + plaintext;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (!HMAC(EVP_sha256(), nonce_key_.data(), int(nonce_key_.size()), bytes_of(input),
              input.size(), digest, &digest_size))
      return std::nullopt;
    std::copy(digest, digest + nonce_bytes, nonce);
  } else if (RAND_bytes(nonce, int(nonce_bytes)) != 1) {
    return std::nullopt;
  }

  cipher_context context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int written = 0, final_written = 0;
  if (!context ||
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, int(nonce_bytes), nullptr) != 1 ||
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &written, bytes_of(aad), int(aad.size())) != 1 ||
      EVP_EncryptUpdate(context.get(), cipher_text, &written, bytes_of(plaintext),
                        int(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(context.get(), cipher_text + written, &final_written) != 1 ||
      size_t(written + final_written) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, int(tag_bytes),
                          cipher_text + plaintext.size()) != 1)
    return std::nullopt;
  return out;
}

std::optional<std::vector<uint32_t>> ballot_seal::open_values(const std::string& aad,
                                                              std::string_view sealed) const {
  if (sealed.size() < 1 + nonce_bytes + tag_bytes ||
      static_cast<unsigned char>(sealed[0]) != ballot_seal_version)
    return std::nullopt;
  const auto* nonce = bytes_of(sealed) + 1;
  const auto* cipher_text = nonce + nonce_bytes;
  const size_t cipher_size = sealed.size() - 1 - nonce_bytes - tag_bytes;
  std::string tag(sealed.substr(sealed.size() - tag_bytes));
  std::string plaintext(cipher_size, '\0');
  auto* plain_out = reinterpret_cast<unsigned char*>(plaintext.data());

  cipher_context context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int written = 0, final_written = 0;
  if (!context ||
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, int(nonce_bytes), nullptr) != 1 ||
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key_.data(), nonce) != 1 ||
      EVP_DecryptUpdate(context.get(), nullptr, &written, bytes_of(aad), int(aad.size())) != 1 ||
      EVP_DecryptUpdate(context.get(), plain_out, &written, cipher_text, int(cipher_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, int(tag_bytes), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(context.get(), plain_out + written, &final_written) != 1)
    return std::nullopt;  // the tag did not match: another key, other ids, or altered bytes
  v1::Ballot plain;
  if (plaintext.size() < 2) return std::nullopt;
  const size_t length = (size_t(static_cast<unsigned char>(plaintext[0])) << 8) |
                        static_cast<unsigned char>(plaintext[1]);
  if (2 + length > plaintext.size()) return std::nullopt;
  if (!plain.ParseFromArray(plaintext.data() + 2, int(length)) || !plain.voter_id().empty())
    return std::nullopt;
  return std::vector<uint32_t>(plain.choices().begin(), plain.choices().end());
}

bool ballot_seal::seal_event(v1::Event& event) const {
  if (!event.has_ballot_cast()) return false;
  auto& cast = *event.mutable_ballot_cast();
  const std::vector<uint32_t> choices(cast.choices().begin(), cast.choices().end());
  auto sealed = seal(cast.poll_id(), cast.voter_id(), choices);
  if (!sealed) return false;
  cast.clear_choices();
  cast.set_sealed_choices(std::move(*sealed));
  return true;
}

ballot_seal::opened ballot_seal::open_event(v1::Event& event) const {
  if (!event.has_ballot_cast() || event.ballot_cast().sealed_choices().empty())
    return opened::not_sealed;
  auto& cast = *event.mutable_ballot_cast();
  auto choices = open(cast.poll_id(), cast.voter_id(), cast.sealed_choices());
  cast.clear_sealed_choices();
  cast.clear_choices();
  if (!choices) return opened::failed;
  for (uint32_t choice : *choices) cast.add_choices(choice);
  return opened::opened;
}

bool ballot_seal::seal_running_tallies(v1::MeetingState& snapshot, bool repeatable) const {
  const std::string seq = std::to_string(snapshot.seq());
  for (auto& poll : *snapshot.mutable_polls()) {
    if (!counting_in_secret(poll) || poll.tally().empty()) continue;
    const std::vector<uint32_t> tally(poll.tally().begin(), poll.tally().end());
    auto sealed = seal_values(associated_data(tally_kind, poll.id(), seq), tally, repeatable);
    if (!sealed) return false;
    poll.clear_tally();
    poll.set_sealed_tally(std::move(*sealed));
  }
  return true;
}

int ballot_seal::open_running_tallies(v1::MeetingState& snapshot) const {
  const std::string seq = std::to_string(snapshot.seq());
  int failed = 0;
  for (auto& poll : *snapshot.mutable_polls()) {
    if (poll.sealed_tally().empty()) continue;
    auto tally = open_values(associated_data(tally_kind, poll.id(), seq), poll.sealed_tally());
    poll.clear_sealed_tally();
    poll.clear_tally();
    if (!tally) {
      ++failed;
      continue;
    }
    for (uint32_t count : *tally) poll.add_tally(count);
  }
  return failed;
}

bool is_secret_ballot(const v1::MeetingState& state, const v1::Event& event) {
  if (!event.has_ballot_cast()) return false;
  const v1::Poll* poll = domain::find_by_id(state.polls(), event.ballot_cast().poll_id());
  return poll != nullptr && poll->secrecy() == v1::POLL_SECRECY_SECRET;
}

}  // namespace majlis::app
