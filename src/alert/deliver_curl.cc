// SPDX-License-Identifier: MIT
// SMTP and HTTP delivery with libcurl, after its examples smtp-tls.c and http-post.c.
// Errors are turned into one line that a person can act on: transport failures from the
// CURLcode, the error buffer and the socket's errno; SMTP refusals from the server's own
// reply, taken from libcurl's debug callback (CURLOPT_DEBUGFUNCTION), since libcurl's
// messages only say "RCPT failed: 550".
#include "alert/deliver_curl.h"

#include <curl/curl.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "alert/mime.h"
#include "alert/secret_file.h"
#include "base/units.h"

namespace vigil::alert {
namespace {

using base::Status;

// How much of an HTTP error answer is kept, and quoted in the message.
constexpr size_t kMaxAnswerBytes = 4096;
constexpr size_t kQuotedAnswerBytes = 200;
constexpr size_t kMaxReplyBytes = 300;

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool Append(Slist& list, const std::string& item) {
  curl_slist* head = curl_slist_append(list.get(), item.c_str());
  if (head == nullptr) return false;
  (void)list.release();  // curl_slist_append returns the same head, or a new one for an empty list
  list.reset(head);
  return true;
}

// Collects the first failure of a run of curl_easy_setopt calls.
class Options {
 public:
  explicit Options(CURL* handle) : handle_(handle) {}
  template <typename T>
  void Set(CURLoption option, T value) {
    if (code_ == CURLE_OK) code_ = curl_easy_setopt(handle_, option, value);
  }
  CURLcode code() const { return code_; }

 private:
  CURL* handle_;
  CURLcode code_ = CURLE_OK;
};

// The bytes of the upload, handed out by CURLOPT_READFUNCTION.
struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

size_t KeepAnswer(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  size_t n = size * count;
  if (answer->size() < kMaxAnswerBytes) answer->append(data, std::min(n, kMaxAnswerBytes - answer->size()));
  return n;  // the rest is read and dropped, so the transfer completes
}

// What the SMTP conversation showed: the command each refusal answered.
struct SmtpRefusal {
  std::string command;  // "RCPT TO:<bob@example.com>", "AUTH PLAIN", "" for the greeting
  std::string reply;    // "550 5.1.1 <bob@example.com>: no such user"
};
struct Transcript {
  std::string command;
  std::vector<SmtpRefusal> refusals;
};

std::string UpperWord(std::string_view line) {
  std::string word(line.substr(0, line.find(' ')));
  for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return word;
}

// CURLOPT_DEBUGFUNCTION for SMTP: keeps the commands sent (HEADER_OUT) and the final line
// of each 4xx/5xx reply (HEADER_IN). Never keeps what follows AUTH: the SASL exchange
// carries the credentials, in base64.
int OnSmtpDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* transcript = static_cast<Transcript*>(user);
  std::string_view text(data, size);
  if (type == CURLINFO_HEADER_OUT) {
    std::string line = OneLine(text.substr(0, text.find_first_of("\r\n")));
    std::string word = UpperWord(line);
    if (word == "AUTH") {
      std::string_view rest = std::string_view(line).substr(4);
      while (rest.starts_with(' ')) rest.remove_prefix(1);
      transcript->command = "AUTH " + std::string(rest.substr(0, rest.find(' ')));
    } else if (word == "EHLO" || word == "HELO" || word == "STARTTLS" || word == "MAIL" || word == "RCPT" ||
               word == "DATA" || word == "QUIT" || word == "RSET") {
      transcript->command = TruncateUtf8(line, kMaxReplyBytes);
    }
  } else if (type == CURLINFO_HEADER_IN) {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      // "550 text" ends a reply; "550-text" continues it (RFC 5321 section 4.2).
      bool final_line = line.size() >= 3 && (line[0] == '4' || line[0] == '5') && line[1] >= '0' && line[1] <= '9' &&
                        line[2] >= '0' && line[2] <= '9' && (line.size() == 3 || line[3] != '-');
      if (final_line) {
        transcript->refusals.push_back({transcript->command, TruncateUtf8(OneLine(line), kMaxReplyBytes)});
      }
      pos = end + 1;
    }
  }
  return 0;
}

std::string ErrorText(CURLcode code, const char* error_buffer) {
  return error_buffer[0] != '\0' ? OneLine(error_buffer) : std::string(curl_easy_strerror(code));
}

// The failures of any transfer, before a server has said anything: name resolution,
// connection, TLS, time. nullopt for the others.
std::optional<std::string> TransportFailure(CURL* handle, CURLcode code, const char* error_buffer,
                                            const std::string& endpoint, base::Duration timeout,
                                            const std::string& ca_file) {
  long os_errno = 0;
  (void)curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
  std::string detail = ErrorText(code, error_buffer);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot connect to " + endpoint + ": the host name does not resolve (" + detail + ")";
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return "cannot connect to " + endpoint + ": " +
             (os_errno != 0 ? std::string(std::strerror(static_cast<int>(os_errno))) : detail);
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connected_us = 0;
      (void)curl_easy_getinfo(handle, CURLINFO_CONNECT_TIME_T, &connected_us);
      if (connected_us == 0) {
        return "cannot connect to " + endpoint + ": no answer within " + base::FormatDuration(timeout);
      }
      return "timed out after " + base::FormatDuration(timeout) + " talking to " + endpoint;
    }
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake with " + endpoint + " failed: " + detail;
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS certificate of " + endpoint + " is not trusted: " + detail +
             (ca_file.empty() ? " (for a private CA, set ca_file)" : "");
    case CURLE_SSL_CACERT_BADFILE:
      return "cannot use ca_file " + ca_file + ": " + detail;
    case CURLE_GOT_NOTHING:
      return endpoint + " closed the connection without answering";
    default:
      return std::nullopt;
  }
}

std::string EhloDomain() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  std::string domain(name);
  for (char c : domain) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return "localhost";
  }
  return domain.empty() ? "localhost" : domain;
}

std::string_view Between(std::string_view text, char open, char close) {
  size_t begin = text.find(open);
  size_t end = text.find(close, begin == std::string_view::npos ? 0 : begin);
  if (begin == std::string_view::npos || end == std::string_view::npos) return text;
  return text.substr(begin + 1, end - begin - 1);
}

std::string SmtpFailure(CURL* handle, CURLcode code, const char* error_buffer, const EmailSpec& spec,
                        const Transcript& transcript) {
  std::string endpoint = Endpoint(spec.server, spec.port);
  if (auto failure = TransportFailure(handle, code, error_buffer, endpoint, spec.timeout, spec.ca_file)) {
    return *failure;
  }
  std::string server = "SMTP server " + endpoint;
  if (code == CURLE_USE_SSL_FAILED) return server + " does not offer STARTTLS, which tls = \"starttls\" requires";
  const SmtpRefusal* refusal = nullptr;
  for (const SmtpRefusal& r : transcript.refusals) {
    // A login failure is about AUTH even if something else was refused before.
    if (code != CURLE_LOGIN_DENIED || r.command.starts_with("AUTH")) refusal = &r;
  }
  if (refusal != nullptr) {
    std::string word = UpperWord(refusal->command);
    if (word == "AUTH") return server + " refused the login of user " + spec.username + ": " + refusal->reply;
    if (word == "MAIL") return server + " refused sender " + spec.from + ": " + refusal->reply;
    if (word == "RCPT") {
      return server + " refused recipient " + std::string(Between(refusal->command, '<', '>')) + ": " + refusal->reply;
    }
    if (word == "DATA") return server + " refused the message: " + refusal->reply;
    if (word == "STARTTLS") return server + " refused STARTTLS: " + refusal->reply;
    if (word.empty()) return server + " refused the connection: " + refusal->reply;
    return server + " refused " + refusal->command + ": " + refusal->reply;
  }
  if (code == CURLE_LOGIN_DENIED) {
    return server + " did not accept the login of user " + spec.username + ": " + ErrorText(code, error_buffer);
  }
  return "sending email via " + endpoint + " failed: " + ErrorText(code, error_buffer);
}

}  // namespace

Status InitCurl() {
  CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) return Status::Internal(std::string("cannot initialise libcurl: ") + curl_easy_strerror(code));
  return Status::Ok();
}

struct Transfer::State {
  bool email = true;  // else a webhook
  EmailSpec email_spec;
  WebhookSpec webhook_spec;
  std::string payload;  // the message or the JSON body; libcurl reads it in place
  CurlHandle handle;
  Slist list;  // the recipients (email) or the headers (webhook)
  char error_buffer[CURL_ERROR_SIZE] = {};
  Upload upload{nullptr};
  Transcript transcript;
  std::string answer;
  std::string endpoint;
  std::string shown_url;
};

Transfer::Transfer(std::unique_ptr<State> state) : state_(std::move(state)), handle_(state_->handle.get()) {}
Transfer::~Transfer() = default;

base::Result<std::unique_ptr<Transfer>> Transfer::Email(const EmailSpec& spec, std::string message) {
  if (Status s = ValidateEmailSpec(spec); !s.ok()) return s;
  std::string password;
  if (!spec.password_file.empty()) {
    auto secret = ReadSecretFile(spec.password_file, "password file");
    if (!secret) return secret.error();
    password = std::move(secret).value();
  }
  auto st = std::make_unique<State>();
  st->email = true;
  st->email_spec = spec;
  st->payload = std::move(message);
  st->handle.reset(curl_easy_init());
  if (!st->handle) return Status::Internal("cannot create a libcurl handle");
  for (const std::string& to : spec.to) {
    if (!Append(st->list, "<" + to + ">")) return Status::Internal("out of memory");
  }
  st->upload.data = &st->payload;
  Options o(st->handle.get());
  o.Set(CURLOPT_ERRORBUFFER, st->error_buffer);
  o.Set(CURLOPT_URL, SmtpUrl(spec, EhloDomain()).c_str());
  o.Set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // CURLUSESSL_ALL: STARTTLS or fail, never a silent fall-back to plain text.
  o.Set(CURLOPT_USE_SSL, static_cast<long>(spec.tls == EmailSpec::Tls::kNone ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  if (!spec.ca_file.empty()) o.Set(CURLOPT_CAINFO, spec.ca_file.c_str());
  if (!spec.username.empty()) {
    o.Set(CURLOPT_USERNAME, spec.username.c_str());
    // libcurl keeps its own copy (string options are copied) until the handle is cleaned up.
    o.Set(CURLOPT_PASSWORD, password.c_str());
  }
  // Our copy is not needed any more; explicit_bzero(3), unlike a plain fill, is not
  // optimised away.
  ::explicit_bzero(password.data(), password.size());
  o.Set(CURLOPT_MAIL_FROM, ("<" + spec.from + ">").c_str());
  o.Set(CURLOPT_MAIL_RCPT, st->list.get());
  o.Set(CURLOPT_READFUNCTION, &ReadUpload);
  o.Set(CURLOPT_READDATA, &st->upload);
  o.Set(CURLOPT_UPLOAD, 1L);
  o.Set(CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  o.Set(CURLOPT_NOSIGNAL, 1L);
  // VERBOSE only turns the debug callback on; it writes nothing itself.
  o.Set(CURLOPT_DEBUGFUNCTION, &OnSmtpDebug);
  o.Set(CURLOPT_DEBUGDATA, &st->transcript);
  o.Set(CURLOPT_VERBOSE, 1L);
  if (o.code() != CURLE_OK) {
    return Status::Internal(std::string("cannot set up libcurl for SMTP: ") + curl_easy_strerror(o.code()));
  }
  return std::unique_ptr<Transfer>(new Transfer(std::move(st)));
}

base::Result<std::unique_ptr<Transfer>> Transfer::Webhook(const WebhookSpec& spec, std::string json_body) {
  if (Status s = ValidateWebhookSpec(spec); !s.ok()) return s;
  auto target = ParseWebhookUrl(spec.url);
  if (!target) return target.error();
  auto st = std::make_unique<State>();
  st->email = false;
  st->webhook_spec = spec;
  st->payload = std::move(json_body);
  st->endpoint = Endpoint(target->host, target->port);
  st->shown_url = DisplayUrl(spec.url);

  Slist& headers = st->list;
  bool has_content_type = false;
  auto add_header = [&](const std::string& name, const std::string& value) {
    has_content_type = has_content_type || strcasecmp(name.c_str(), "Content-Type") == 0;
    // "Name;" is libcurl's way to send a header with an empty value; "Name:" would remove it.
    return Append(headers, value.empty() ? name + ";" : name + ": " + value);
  };
  for (const auto& [name, value] : spec.headers) {
    if (!add_header(name, value)) return Status::Internal("out of memory");
  }
  for (const auto& [name, file] : spec.header_files) {
    auto value = ReadSecretFile(file, "header file of " + name);
    if (!value) return value.error();
    if (!add_header(name, *value)) return Status::Internal("out of memory");
  }
  if (!has_content_type && !Append(headers, "Content-Type: application/json")) return Status::Internal("out of memory");
  // No "Expect: 100-continue" round trip, which some receivers never answer.
  if (!Append(headers, "Expect:")) return Status::Internal("out of memory");

  st->handle.reset(curl_easy_init());
  if (!st->handle) return Status::Internal("cannot create a libcurl handle");
  Options o(st->handle.get());
  o.Set(CURLOPT_ERRORBUFFER, st->error_buffer);
  o.Set(CURLOPT_URL, spec.url.c_str());
  o.Set(CURLOPT_PROTOCOLS_STR, "http,https");
  o.Set(CURLOPT_POST, 1L);
  o.Set(CURLOPT_POSTFIELDS, st->payload.c_str());
  o.Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(st->payload.size()));
  o.Set(CURLOPT_HTTPHEADER, headers.get());
  o.Set(CURLOPT_USERAGENT, "vigil-alert/" VIGIL_VERSION);
  o.Set(CURLOPT_FOLLOWLOCATION, 0L);
  if (!spec.ca_file.empty()) o.Set(CURLOPT_CAINFO, spec.ca_file.c_str());
  o.Set(CURLOPT_WRITEFUNCTION, &KeepAnswer);
  o.Set(CURLOPT_WRITEDATA, &st->answer);
  o.Set(CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  o.Set(CURLOPT_NOSIGNAL, 1L);
  if (o.code() != CURLE_OK) {
    return Status::Internal(std::string("cannot set up libcurl for HTTP: ") + curl_easy_strerror(o.code()));
  }
  return std::unique_ptr<Transfer>(new Transfer(std::move(st)));
}

Status Transfer::Outcome(CURLcode code) {
  State& st = *state_;
  if (st.email) {
    if (code == CURLE_OK) return Status::Ok();
    return Status::Unavailable(SmtpFailure(handle_, code, st.error_buffer, st.email_spec, st.transcript));
  }
  const WebhookSpec& spec = st.webhook_spec;
  if (code != CURLE_OK) {
    if (auto failure = TransportFailure(handle_, code, st.error_buffer, st.endpoint, spec.timeout, spec.ca_file)) {
      return Status::Unavailable(*failure);
    }
    return Status::Unavailable("sending to " + st.shown_url + " failed: " + ErrorText(code, st.error_buffer));
  }
  long status = 0;
  (void)curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status <= 299) return Status::Ok();
  std::string message = "HTTP " + std::to_string(status) + " from " + st.shown_url;
  std::string quoted = TruncateUtf8(OneLine(st.answer), kQuotedAnswerBytes);
  if (!quoted.empty()) message += ": " + quoted;
  if (status >= 300 && status <= 399) message += " (redirects are not followed; give the final URL)";
  return Status::Unavailable(message);
}

Status SendEmail(const EmailSpec& spec, const std::string& message) {
  auto transfer = Transfer::Email(spec, message);
  if (!transfer) return transfer.error();
  return (*transfer)->Outcome(curl_easy_perform((*transfer)->handle()));
}

Status SendWebhook(const WebhookSpec& spec, const std::string& json_body) {
  auto transfer = Transfer::Webhook(spec, json_body);
  if (!transfer) return transfer.error();
  return (*transfer)->Outcome(curl_easy_perform((*transfer)->handle()));
}

}  // namespace vigil::alert
