// SPDX-License-Identifier: MIT
// Tests that every kind of config mistake is reported as one "FILE:LINE: KEY: reason" line.
#include <gtest/gtest.h>

#include "config/config_test_util.h"

#include <initializer_list>

#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/x/vigil.toml";
constexpr const char* kUnknownTable =
    "unknown table (expected [vigil], [program.NAME], [task.NAME], [health], [check.NAME], [alert.NAME] or [http])";


// The error message for `text`, or "<parsed fine>".
std::string ErrorOf(const std::string& text) { return ParseError(text, kFile); }

std::string Program(std::initializer_list<const char*> body) {
  std::string out = "[program.web]\ncommand = \"/bin/web\"\n";
  for (const char* line : body) out += std::string(line) + "\n";
  return out;
}

// Most program errors sit on line 3, the first line after Program()'s header and command.
std::string At3(const std::string& rest) { return std::string(kFile) + ":3: " + rest; }

TEST(ConfigErrorTest, SyntaxErrorUsesTomlDescription) {
  const std::string error =
      ErrorOf(Lines({"[vigil]", "state_dir = \"unterminated", "[program.x]"}));
  EXPECT_EQ(error.rfind(std::string(kFile) + ":2: syntax error: ", 0), 0u) << error;
  EXPECT_EQ(ErrorOf("[program.web\n").rfind(std::string(kFile) + ":1: syntax error: ", 0), 0u);
}

// Regression test for issue 8 (fuzzing): toml++ 3.3.0 asserted a precondition that
// malformed table headers break, so "[\n" aborted `vigil check` in debug builds (and is
// undefined behaviour under clang's __builtin_assume in release builds).
TEST(ConfigErrorTest, MalformedTableHeadersAreSyntaxErrors) {
  for (const char* text : {"[\n", "[", "[]", "[=", "[[[1]]]", "[[[a]]]", "[[[]]", "[[=", "[#", "[ \n", "[\"a\"]\n[\n"}) {
    const std::string error = ErrorOf(text);
    EXPECT_NE(error.find(": syntax error: "), std::string::npos) << text << ": " << error;
  }
}

// Regression test for issue 8 (fuzzing): toml++ 3.3.0's whitespace check reached
// __builtin_unreachable() for most non-ASCII characters where whitespace may come (Latin-1
// letters, Greek, Cyrillic, kana...): undefined behaviour, reported by UBSan in the asan
// build. They are syntax errors outside strings and comments, and fine inside them.
TEST(ConfigErrorTest, NonAsciiCharactersOutsideStringsAreSyntaxErrors) {
  for (const char* text : {"\xc3\xa9 = 1", "a = 1 \xc3\xa9", "\xc2\xa7", "[vigil] \xce\xbb", "a = 1\n\xe3\x81\x82",
                           "\xef\xbb\xaf", "\xef\xbb\xaf" "a = 1"}) {
    const std::string error = ErrorOf(text);
    EXPECT_NE(error.find(": syntax error: "), std::string::npos) << text << ": " << error;
  }
  // A line-ending backslash in a multi-line string skips whitespace up to the "§".
  EXPECT_EQ(ErrorOf("a = \"\"\"\\\n\xc2\xa7\"\"\""),
            std::string(kFile) + ":1: a: " + kUnknownTable);
  auto spec = ParseConfig(Lines({"# caf\xc3\xa9, \xce\xbb, \xe3\x81\x82", "[program.web]", "command = \"/bin/caf\xc3\xa9\"",
                                 "environment = { NAME = \"\xc2\xa7 \xce\xbb \xe3\x81\x82 \xef\xbb\xaf\" }"}),
                          kFile, UserContext{});
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->programs[0].argv[0], "/bin/caf\xc3\xa9");
}

TEST(ConfigErrorTest, DuplicateProgramTableIsRejected) {
  // Program names cannot contain ':', so the only way two programs could share an
  // instance name is by defining one table twice, which TOML itself forbids.
  const std::string error = ErrorOf(Lines({
      "[program.web]",
      "command = \"a\"",
      "[program.web]",
      "command = \"b\"",
  }));
  EXPECT_EQ(error.rfind(std::string(kFile) + ":3: syntax error: ", 0), 0u) << error;
  EXPECT_NE(error.find("program.web"), std::string::npos) << error;
}

TEST(ConfigErrorTest, UnknownTopLevelTable) {
  EXPECT_EQ(ErrorOf(Lines({"[vigil]", "", "[tasks.backup]", "command = \"x\""})),
            std::string(kFile) + ":3: tasks: " + kUnknownTable);
  EXPECT_EQ(ErrorOf(Lines({"programs = 1"})), std::string(kFile) + ":1: programs: " + kUnknownTable);
}

TEST(ConfigErrorTest, UnknownKeys) {
  EXPECT_EQ(ErrorOf(Lines({"[vigil]", "statedir = \"x\""})),
            std::string(kFile) +
                ":2: vigil.statedir: unknown key (expected one of: state_dir, log_dir, socket, "
                "status_file, log_max_size, log_keep, history_retention)");
  const std::string program_error = ErrorOf(Program({"autorestarts = true"}));
  EXPECT_EQ(program_error.rfind(
                At3("program.web.autorestarts: unknown key (expected one of: command, "), 0),
            0u)
      << program_error;
  EXPECT_EQ(ErrorOf(Program({"stdout = { max_size = \"1MB\", rotate = true }"})),
            At3("program.web.stdout.rotate: unknown key (expected one of: max_size, keep, "
                "compress, timestamps)"));
  EXPECT_EQ(ErrorOf(Program({"[program.web.stderr]", "keeps = 3"})),
            std::string(kFile) +
                ":4: program.web.stderr.keeps: unknown key (expected one of: max_size, keep, "
                "compress, timestamps)");
  EXPECT_EQ(ErrorOf(Program({"backoff = { initial = \"1s\", maximum = \"5s\" }"})),
            At3("program.web.backoff.maximum: unknown key (expected one of: initial, max)"));
}

TEST(ConfigErrorTest, WrongTypes) {
  EXPECT_EQ(ErrorOf(Program({"autostart = \"yes\""})),
            At3("program.web.autostart: expected true or false, got string \"yes\""));
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "command = 5"})),
            std::string(kFile) +
                ":2: program.web.command: expected a string or an array of strings, got integer 5");
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "command = [\"a\", 1]"})),
            std::string(kFile) + ":2: program.web.command[1]: expected a string, got integer 1");
  EXPECT_EQ(ErrorOf(Program({"environment = { PORT = 8080 }"})),
            At3("program.web.environment.PORT: expected a string, got integer 8080"));
  EXPECT_EQ(ErrorOf(Program({"environment = \"PORT=1\""})),
            At3("program.web.environment: expected a table of strings like { PORT = \"8080\" }, "
                "got string "
                "\"PORT=1\""));
  EXPECT_EQ(ErrorOf(Program({"start_retries = \"5\""})),
            At3("program.web.start_retries: expected an integer, got string \"5\""));
  EXPECT_EQ(ErrorOf(Program({"stop_timeout = 1.5"})),
            At3("program.web.stop_timeout: expected a duration like \"10s\" or \"250ms\", or an "
                "integer number of "
                "seconds, got a float"));
  EXPECT_EQ(ErrorOf(Program({"stdout = \"10MB\""})),
            At3("program.web.stdout: expected a table like { max_size = \"10MB\", keep = 10 }, got "
                "string \"10MB\""));
  EXPECT_EQ(ErrorOf(Program({"depends_on = \"db\""})),
            At3("program.web.depends_on: expected an array of program names, got string \"db\""));
  EXPECT_EQ(ErrorOf(Program({"user = true"})),
            At3("program.web.user: expected a name or a numeric id, got boolean true"));
  EXPECT_EQ(ErrorOf(Lines({"vigil = 1"})),
            std::string(kFile) + ":1: vigil: expected a table ([vigil]), got integer 1");
  EXPECT_EQ(
      ErrorOf(Lines({"program = \"web\""})),
      std::string(kFile) + ":1: program: expected tables like [program.NAME], got string \"web\"");
  EXPECT_EQ(
      ErrorOf(Lines({"[program]", "web = 1"})),
      std::string(kFile) + ":2: program.web: expected a table ([program.NAME]), got integer 1");
  EXPECT_EQ(ErrorOf(Lines({"[vigil]", "socket = 1"})),
            std::string(kFile) + ":2: vigil.socket: expected a string, got integer 1");
}

TEST(ConfigErrorTest, OutOfRangeValues) {
  EXPECT_EQ(ErrorOf(Program({"exit_codes = [0, 256]"})),
            At3("program.web.exit_codes[1]: must be between 0 and 255, got 256"));
  EXPECT_EQ(ErrorOf(Program({"exit_codes = [-1]"})),
            At3("program.web.exit_codes[0]: must be between 0 and 255, got -1"));
  EXPECT_EQ(ErrorOf(Program({"start_retries = -1"})),
            At3("program.web.start_retries: must be between 0 and 2147483647, got -1"));
  EXPECT_EQ(ErrorOf(Program({"instances = 0"})),
            At3("program.web.instances: must be between 1 and 1000, got 0"));
  EXPECT_EQ(ErrorOf(Program({"instances = 5000"})),
            At3("program.web.instances: must be between 1 and 1000, got 5000"));
  EXPECT_EQ(ErrorOf(Program({"umask = \"0999\""})),
            At3("program.web.umask: expected octal digits like \"022\" (at most 0777), got string "
                "\"0999\""));
  EXPECT_EQ(ErrorOf(Program({"umask = \"1777\""})),
            At3("program.web.umask: expected octal digits like \"022\" (at most 0777), got string "
                "\"1777\""));
  EXPECT_EQ(
      ErrorOf(Program({"umask = 22"})),
      At3("program.web.umask: write the umask in octal, as \"022\" or 0o022, got decimal 22"));
  EXPECT_EQ(ErrorOf(Program({"umask = 0o1777"})),
            At3("program.web.umask: must be between 0o000 and 0o777"));
  EXPECT_EQ(ErrorOf(Program({"stdout = { keep = -1 }"})),
            At3("program.web.stdout.keep: must be between 0 and 100000, got -1"));
  EXPECT_EQ(ErrorOf(Program({"stop_timeout = -5"})),
            At3("program.web.stop_timeout: durations cannot be negative, got -5"));
  EXPECT_EQ(
      ErrorOf(Program({"fatal_retry_after = \"0s\""})),
      At3("program.web.fatal_retry_after: must be greater than 0 (leave it out to never retry)"));
  EXPECT_EQ(ErrorOf(Program({"backoff = { initial = \"2m\" }"})),
            At3("program.web.backoff: max must not be less than initial"));
  EXPECT_EQ(ErrorOf(Lines({"[vigil]", "log_keep = -3"})),
            std::string(kFile) + ":2: vigil.log_keep: must be between 0 and 100000, got -3");
  const std::string long_socket = "socket = \"/" + std::string(120, 's') + "\"";
  const std::string error = ErrorOf(Lines({"[vigil]", long_socket.c_str()}));
  EXPECT_EQ(error.rfind(std::string(kFile) + ":2: vigil.socket: socket path /sss", 0), 0u) << error;
  EXPECT_NE(error.find("is 121 bytes; unix sockets allow at most 107"), std::string::npos) << error;
}

TEST(ConfigErrorTest, BadEnumValue) {
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "command = \"web\"", "", "", "", "",
                           "autorestart = \"sometimes\""})),
            "/tmp/x/vigil.toml:7: program.web.autorestart: expected \"always\", \"on-failure\" or "
            "\"never\", got "
            "\"sometimes\"");
}

TEST(ConfigErrorTest, BadDurationsAndSizes) {
  EXPECT_EQ(ErrorOf(Program({"stop_timeout = \"10 sec\""})),
            At3("program.web.stop_timeout: expected a duration like \"10s\", \"250ms\", \"5m\", "
                "got \"10 sec\""));
  EXPECT_EQ(ErrorOf(Program({"backoff = { max = \"-1s\" }"})),
            At3("program.web.backoff.max: durations cannot be negative, got \"-1s\""));
  EXPECT_EQ(
      ErrorOf(Program({"start_seconds = \"10\""})),
      At3("program.web.start_seconds: missing unit in \"10\" (write \"10s\" for ten seconds)"));
  EXPECT_EQ(ErrorOf(Program({"stdout = { max_size = \"10 MB\" }"})),
            At3("program.web.stdout.max_size: expected a size like \"512KB\", \"10MB\", \"1GB\" or "
                "a number of "
                "bytes, got \"10 MB\""));
  EXPECT_EQ(ErrorOf(Program({"stderr = { max_size = -1 }"})),
            At3("program.web.stderr.max_size: sizes cannot be negative, got -1"));
  EXPECT_EQ(ErrorOf(Lines({"[vigil]", "log_max_size = \"1.5GB\""})),
            std::string(kFile) +
                ":2: vigil.log_max_size: expected a size like \"512KB\", \"10MB\", \"1GB\" or a "
                "number of bytes, got "
                "\"1.5GB\"");
  EXPECT_EQ(ErrorOf(Program({"stop_timeout = 9223372036854775807"})),
            At3("program.web.stop_timeout: duration of 9223372036854775807 seconds is too large (at most 3153600000 "
                "seconds, 100 years)"));
}

TEST(ConfigErrorTest, BadCommands) {
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "autostart = true"})),
            std::string(kFile) + ":1: program.web: missing required key \"command\"");
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "command = \"  \""})),
            std::string(kFile) + ":2: program.web.command: empty command");
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "command = []"})),
            std::string(kFile) + ":2: program.web.command: empty command");
  EXPECT_EQ(
      ErrorOf(Lines({"[program.web]", "command = [\"\", \"x\"]"})),
      std::string(kFile) + ":2: program.web.command[0]: the program to run must not be empty");
  EXPECT_EQ(
      ErrorOf(Lines({"[program.web]", "command = \"web 'oops\""})),
      std::string(kFile) +
          ":2: program.web.command: unterminated single quote in command (opened at character 5)");
  EXPECT_EQ(ErrorOf(Program({"directory = \"\""})),
            At3("program.web.directory: must not be empty (leave the key out to get the default)"));
  EXPECT_EQ(ErrorOf(Program({"environment = { \"A=B\" = \"x\" }"})),
            At3("program.web.environment.\"A=B\": environment variable names must be non-empty and "
                "contain no '=' or NUL character (\\u0000)"));
}

TEST(ConfigErrorTest, BadProgramNames) {
  EXPECT_EQ(ErrorOf(Lines({"[program.\"web:1\"]", "command = \"x\""})),
            std::string(kFile) +
                ":1: program.\"web:1\": program names may contain only letters, digits, '_', '.' "
                "and '-'");
  EXPECT_EQ(ErrorOf(Lines({"[program.\"my app\"]", "command = \"x\""})),
            std::string(kFile) +
                ":1: program.\"my app\": program names may contain only letters, digits, '_', '.' "
                "and '-'");
  EXPECT_EQ(ErrorOf(Lines({"[program.all]", "command = \"x\""})),
            std::string(kFile) +
                ":1: program.all: the name \"all\" is reserved (it means every program)");
}

TEST(ConfigErrorTest, UnknownDependency) {
  EXPECT_EQ(ErrorOf(Lines({"[program.web]", "command = \"x\"", "depends_on = [", "  \"web2\",",
                           "  \"db\",", "]"})),
            std::string(kFile) + ":4: program.web.depends_on[0]: unknown program \"web2\"");
  // An instance name that does not exist, and an instance suffix on a single-instance program.
  EXPECT_EQ(ErrorOf(Lines({"[program.q]", "command = \"x\"", "instances = 2", "[program.web]",
                           "command = \"x\"", "depends_on = [\"q:2\"]"})),
            std::string(kFile) + ":6: program.web.depends_on[0]: unknown program \"q:2\"");
  EXPECT_EQ(ErrorOf(Lines({"[program.q]", "command = \"x\"", "[program.web]", "command = \"x\"",
                           "depends_on = [\"q:0\"]"})),
            std::string(kFile) + ":5: program.web.depends_on[0]: unknown program \"q:0\"");
}

TEST(ConfigErrorTest, DependencyCycles) {
  EXPECT_EQ(ErrorOf(Lines({
                "[program.a]",
                "command = \"x\"",
                "depends_on = [\"b\"]",
                "[program.b]",
                "command = \"x\"",
                "depends_on = [\"a\"]",
            })),
            std::string(kFile) + ":3: program.a.depends_on: dependency cycle: a -> b -> a");
  EXPECT_EQ(ErrorOf(Lines({
                "[program.start]",
                "command = \"x\"",
                "depends_on = [\"b\"]",
                "[program.b]",
                "command = \"x\"",
                "depends_on = [\"c\"]",
                "[program.c]",
                "command = \"x\"",
                "depends_on = [\"b\"]",
            })),
            std::string(kFile) + ":6: program.b.depends_on: dependency cycle: b -> c -> b");
  // The search enters this cycle at b (via x), but the report starts at a, which comes first.
  EXPECT_EQ(ErrorOf(Lines({
                "[program.x]",
                "command = \"x\"",
                "depends_on = [\"b\"]",
                "[program.a]",
                "command = \"x\"",
                "depends_on = [\"b\"]",
                "[program.b]",
                "command = \"x\"",
                "depends_on = [\"a\"]",
            })),
            std::string(kFile) + ":6: program.a.depends_on: dependency cycle: a -> b -> a");
  EXPECT_EQ(ErrorOf(Program({"depends_on = [\"web\"]"})),
            At3("program.web.depends_on: dependency cycle: web -> web"));
  EXPECT_EQ(ErrorOf(Program({"instances = 2", "depends_on = [\"web:1\"]"})),
            std::string(kFile) + ":4: program.web.depends_on: dependency cycle: web:1 -> web:1");
}

TEST(ConfigErrorTest, UnknownUserAndGroup) {
  EXPECT_EQ(ErrorOf(Program({"user = \"no-such-user-vigil\""})),
            At3("program.web.user: unknown user \"no-such-user-vigil\""));
  EXPECT_EQ(ErrorOf(Program({"group = \"no-such-group-vigil\""})),
            At3("program.web.group: unknown group \"no-such-group-vigil\""));
  EXPECT_EQ(ErrorOf(Program({"user = 3999999"})),
            At3("program.web.user: uid 3999999 has no passwd entry to take a primary group from; "
                "set group too"));
  EXPECT_EQ(ErrorOf(Program({"user = -1"})), At3("program.web.user: must be between 0 and 4294967294, got -1"));
}

TEST(ConfigErrorTest, InvalidSignal) {
  EXPECT_EQ(ErrorOf(Program({"stop_signal = \"TERMINATE\""})),
            At3("program.web.stop_signal: unknown signal \"TERMINATE\" (expected a name like "
                "\"TERM\" or \"SIGHUP\", "
                "or a number)"));
  EXPECT_EQ(ErrorOf(Program({"stop_signal = 0"}))
                .rfind(At3("program.web.stop_signal: signal number 0 is out of range"), 0),
            0u);
}

TEST(ConfigErrorTest, ConflictingKeys) {
  EXPECT_EQ(ErrorOf(Program({"merge_stderr = true", "stderr = { keep = 1 }"})),
            std::string(kFile) +
                ":4: program.web.stderr: has no effect with merge_stderr = true (stderr goes to "
                "the stdout log)");
}

TEST(ConfigErrorTest, ReportsTheFirstErrorInFileOrder) {
  // toml::table orders keys by name; the report must follow the file instead.
  EXPECT_EQ(ErrorOf(Program({"stop_timeout = \"x\"", "autostart = 1"})),
            At3("program.web.stop_timeout: expected a duration like \"10s\", \"250ms\", \"5m\", "
                "got \"x\""));
  EXPECT_EQ(ErrorOf(Lines({"[program.zz]", "command = 1", "[program.aa]", "command = 2"})),
            std::string(kFile) +
                ":2: program.zz.command: expected a string or an array of strings, got integer 1");
  // [vigil] is checked before programs even when it comes later in the file.
  EXPECT_EQ(ErrorOf(Lines({"[program.a]", "command = 1", "[vigil]", "nope = 1"}))
                .rfind(std::string(kFile) + ":4: vigil.nope: unknown key", 0),
            0u);
  // A top-level unknown table is reported before anything inside known tables.
  EXPECT_EQ(ErrorOf(Lines({"[program.a]", "command = 1", "[tasks]"})),
            std::string(kFile) + ":3: tasks: " + kUnknownTable);
}

TEST(ConfigErrorTest, ValuesWithNewlinesStayOnOneLine) {
  EXPECT_EQ(ErrorOf(Program({"autorestart = \"a\\nb\""})),
            At3("program.web.autorestart: expected \"always\", \"on-failure\" or \"never\", got "
                "\"a\\nb\""));
}

}  // namespace
}  // namespace vigil::config
