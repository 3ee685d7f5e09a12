// SPDX-License-Identifier: MIT
// Instance expansion and dependency resolution: turns ProgramTables into the final,
// ordered ProgramSpecs, rejecting unknown dependencies and cycles.
#include <algorithm>
#include <map>
#include <set>

#include "config/program_table.h"

namespace vigil::config {
namespace {

constexpr std::string_view kInstanceToken = "{instance}";

std::string Substitute(std::string text, const std::string& index) {
  size_t pos = 0;
  while ((pos = text.find(kInstanceToken, pos)) != std::string::npos) {
    text.replace(pos, kInstanceToken.size(), index);
    pos += index.size();
  }
  return text;
}

ProgramSpec Instantiate(const ProgramTable& table, int index) {
  ProgramSpec spec = table.spec;
  const std::string number = std::to_string(index);
  spec.instance = index;
  spec.name = table.instances == 1 ? table.spec.table_name : table.spec.table_name + ":" + number;
  for (std::string& word : spec.argv) word = Substitute(std::move(word), number);
  spec.directory = Substitute(std::move(spec.directory), number);
  for (auto& [name, value] : spec.environment) value = Substitute(std::move(value), number);
  return spec;
}

// Depth-first search for a cycle in file order, so the same config always names the
// same cycle. Returns the cycle as a path that starts and ends at the same program, the
// one of its members that comes first in the file.
class CycleFinder {
 public:
  explicit CycleFinder(const std::vector<ProgramSpec>& programs) : programs_(programs) {
    for (size_t i = 0; i < programs.size(); ++i) index_[programs[i].name] = i;
  }

  std::vector<std::string> Find() {
    color_.assign(programs_.size(), kWhite);
    for (size_t i = 0; i < programs_.size(); ++i) {
      if (color_[i] == kWhite && Visit(i)) return cycle_;
    }
    return {};
  }

 private:
  enum Color { kWhite, kGray, kBlack };

  bool Visit(size_t i) {
    color_[i] = kGray;
    stack_.push_back(i);
    for (const std::string& dep : programs_[i].depends_on) {
      // Invariant: ExpandPrograms resolved every dependency to an existing program.
      const size_t j = index_.find(dep)->second;
      if (color_[j] == kGray) {
        // The cycle is stack_[j..], closed by this edge. Rotate it to start at the program
        // that comes first in the file, so the report does not depend on where the search
        // happened to enter the cycle.
        std::vector<size_t> members(std::find(stack_.begin(), stack_.end(), j), stack_.end());
        std::rotate(members.begin(), std::min_element(members.begin(), members.end()),
                    members.end());
        for (size_t m : members) cycle_.push_back(programs_[m].name);
        cycle_.push_back(programs_[members.front()].name);
        return true;
      }
      if (color_[j] == kWhite && Visit(j)) return true;
    }
    stack_.pop_back();
    color_[i] = kBlack;
    return false;
  }

  const std::vector<ProgramSpec>& programs_;
  std::map<std::string, size_t> index_;
  std::vector<Color> color_;
  std::vector<size_t> stack_;
  std::vector<std::string> cycle_;
};

}  // namespace

ProgramTargets TargetsOf(const std::vector<ProgramSpec>& programs) {
  ProgramTargets targets;
  for (const ProgramSpec& spec : programs) {
    targets[spec.table_name].push_back(spec.name);
    if (spec.name != spec.table_name) targets[spec.name] = {spec.name};
  }
  return targets;
}

base::Result<std::vector<ProgramSpec>> ExpandPrograms(const ErrorContext& errors,
                                                      const std::vector<ProgramTable>& tables) {
  std::map<std::string, const ProgramTable*> table_of;
  std::vector<ProgramSpec> programs;
  for (const ProgramTable& table : tables) {
    const size_t count = programs.size() + static_cast<size_t>(table.instances);
    if (count > kMaxPrograms) {
      return errors.Error(table.line, KeyPath("program").Child(table.spec.table_name),
                          "brings the programs, instances counted, to " + std::to_string(count) +
                              "; a config may have at most " + std::to_string(kMaxPrograms));
    }
    for (int i = 0; i < table.instances; ++i) {
      ProgramSpec spec = Instantiate(table, i);
      table_of[spec.name] = &table;
      programs.push_back(std::move(spec));
    }
  }

  const ProgramTargets targets = TargetsOf(programs);
  size_t references = 0;
  for (ProgramSpec& spec : programs) {
    const ProgramTable& table = *table_of[spec.name];
    const KeyPath key = KeyPath("program").Child(table.spec.table_name).Child("depends_on");
    std::set<std::string> seen;
    for (const DependencyRef& dep : table.dependencies) {
      auto it = targets.find(dep.name);
      if (it == targets.end()) {
        return errors.Error(dep.line, key.Index(dep.index), "unknown program \"" + dep.name + "\"");
      }
      references += it->second.size();
      if (references > kMaxReferences) {
        return errors.Error(table.depends_on_line, key,
                            "brings the dependencies, instances expanded, to " + std::to_string(references) +
                                "; a config may have at most " + std::to_string(kMaxReferences));
      }
      for (const std::string& name : it->second) {
        if (seen.insert(name).second) spec.depends_on.push_back(name);
      }
    }
  }

  const std::vector<std::string> cycle = CycleFinder(programs).Find();
  if (!cycle.empty()) {
    std::string path;
    for (const std::string& name : cycle) path += (path.empty() ? "" : " -> ") + name;
    const ProgramTable& first = *table_of[cycle.front()];
    return errors.Error(first.depends_on_line,
                        KeyPath("program").Child(first.spec.table_name).Child("depends_on"),
                        "dependency cycle: " + path);
  }
  return programs;
}

}  // namespace vigil::config
