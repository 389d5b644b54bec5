// Demo data for `rota seed`.
//
// The generator is a pure function of SeedOptions: every random choice comes
// from one std::mt19937_64 seeded with `options.seed`, read through our own
// bounded helpers (the standard distributions differ between standard library
// versions, the engine does not), and every row carries an explicit id. The
// shapes and proportions follow the Django peer's seed.py:
//
//   homes      -> 4 units each (names drawn from kUnitNames, min staff 1 or 2)
//   staff      -> role 2:3:5 nurse/senior/carer, ~5% inactive, a primary unit
//                 plus up to 2 more qualified units, 1-3 certifications expiring
//                 -60..+730 days around "today" (start + 30), 0-2 leave
//                 requests (the first three of the run are pending, approved,
//                 rejected; then 5:3:2 approved/pending/rejected)
//   shifts     -> per home, per day, per unit, per shift type, 2 slots; each slot
//                 is staffed with probability 0.85 by a uniformly chosen active
//                 member of the home qualified for the unit, not yet working that
//                 day and not on approved leave (vacant if there is none)
//   notes      -> ~5% of shifts get 1-2 notes
//   links      -> per home, len(staffed)/100 tries at pairing two staffed
//                 shifts at most 7 days apart; a pair is linked both ways
//   timestamps -> never after "today" 08:00Z (start + 30 days)
//
// Writing: the home-level rows are generated first and written in foreign-key
// order; shifts are written as they are generated, 2048 at a time, then notes
// and links. Rows go out in multi-row INSERTs of 64 rows (one cached statement
// per table) with single-row INSERTs for a remainder (db/seed_writer.hpp). Everything is
// one transaction: a failed seed leaves the database as it was.
#include "service/seed.hpp"

#include "service/app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "db/home_repository.hpp"
#include "db/seed_writer.hpp"
#include "service/passwords.hpp"

namespace rota::service {
namespace {

constexpr std::array<std::string_view, 30> kHomeWords = {
    "Orchard",  "Willow",      "Meadow",    "Beechwood",  "Riverside", "Oakfield",   "Heather",   "Linden",
    "Maple",    "Rosewood",    "Hawthorn",  "Elmbank",    "Larch",     "Ashdown",    "Brookside", "Cedar",
    "Foxglove", "Greenacres",  "Hollybank", "Juniper",    "Kingsmead", "Lavender",   "Millbrook", "Northgate",
    "Primrose", "Quarry Hill", "Redwood",   "Silverdale", "Thornbury", "Valley View"};
constexpr std::array<std::string_view, 14> kUnitNames = {"Rose",     "Lily",   "Bluebell",  "Daisy",   "Poppy",
                                                         "Iris",     "Tulip",  "Violet",    "Jasmine", "Magnolia",
                                                         "Snowdrop", "Clover", "Sunflower", "Orchid"};
constexpr std::array<std::string_view, 38> kFirstNames = {
    "Ann",   "Amara",  "Beth", "Bola", "Carl", "Chloe", "Dan",  "Deepa", "Ella",   "Emeka", "Fiona", "Grace",  "Hannah",
    "Imran", "Isla",   "Jack", "Jade", "Kofi", "Laura", "Leah", "Maria", "Mark",   "Nadia", "Nia",   "Oliver", "Paul",
    "Priya", "Rachel", "Ravi", "Ruth", "Sam",  "Sara",  "Tom",  "Una",   "Vikram", "Wendy", "Yusuf", "Zoe"};
constexpr std::array<std::string_view, 30> kLastNames = {
    "Lee",    "Adeyemi", "Brown",  "Campbell", "Davies", "Evans",  "Fraser",   "Green",  "Hughes",  "Iqbal",
    "Jones",  "Khan",    "Lewis",  "Mensah",   "Nowak",  "Okafor", "Patel",    "Quinn",  "Roberts", "Singh",
    "Taylor", "Usman",   "Walker", "Wilson",   "Wright", "Young",  "Kowalski", "Murphy", "O'Brien", "Santos"};
constexpr std::array<std::string_view, 9> kCertNames = {
    "Manual Handling",           "Fire Safety",         "First Aid",
    "Medication Administration", "Safeguarding Adults", "Infection Control",
    "Dementia Awareness",        "Basic Life Support",  "Food Hygiene"};
constexpr std::array<std::string_view, 10> kNoteBodies = {"handover at 14:45",
                                                          "agency cover requested",
                                                          "swap agreed with the unit lead",
                                                          "needs a manual-handling trained carer",
                                                          "mandatory training in the afternoon",
                                                          "family visit for room 4 at 11:00",
                                                          "GP round this morning",
                                                          "fire drill planned",
                                                          "covering for sickness",
                                                          "new resident admission expected"};
constexpr std::array<std::string_view, 6> kLeaveReasons = {"annual leave", "family event", "holiday",
                                                           "appointment",  "study leave",  ""};

struct ShiftTypeSpec {
  std::string_view name, start, end;
  double hours;
};
constexpr std::array<ShiftTypeSpec, 3> kShiftTypes = {
    {{"Early", "07:00", "15:00", 8.0}, {"Late", "14:30", "22:30", 8.0}, {"Night", "22:00", "07:30", 9.5}}};

constexpr int kUnitsPerHome = 4;
constexpr int kSlotsPerShiftType = 2;
constexpr size_t kShiftFlushRows = 2048;  // a multiple of TableWriter::kBatchRows; also the progress interval
static_assert(kShiftFlushRows % db::TableWriter::kBatchRows == 0);
constexpr int64_t kDay = 86400;
constexpr int64_t kAdminUserId = 1;

// Deterministic random choices over a fixed engine. Bounded integers use
// rejection sampling, so they are exact and identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    const uint64_t limit = kMax - kMax % n;  // [0, limit) splits evenly into n classes
    uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
  }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <class C>
  const auto& Pick(const C& c) {
    return c[Below(c.size())];
  }
  // `k` distinct indices of [0, n) in the order drawn. REQUIRES: k <= n.
  std::vector<size_t> Sample(size_t n, size_t k) {
    std::vector<size_t> idx(n);
    for (size_t i = 0; i < n; ++i) idx[i] = i;
    for (size_t i = 0; i < k; ++i) std::swap(idx[i], idx[i + Below(n - i)]);
    idx.resize(k);
    return idx;
  }
  uint8_t Byte() { return static_cast<uint8_t>(engine_() >> 56); }

 private:
  std::mt19937_64 engine_;
};

// Seconds since 1970-01-01T00:00:00Z as the contract's timestamp text.
std::string Timestamp(int64_t t) {
  int64_t day = t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay);
  int64_t s = t - day * kDay;
  return fmt::format("{}T{:02d}:{:02d}:{:02d}Z", Date::FromDays(static_cast<int32_t>(day)).ToString(), s / 3600,
                     s / 60 % 60, s % 60);
}

int64_t At(Date d, int hour, int minute = 0) { return int64_t{d.days()} * kDay + hour * 3600 + minute * 60; }

std::string HomeName(int i) {
  const std::string base(kHomeWords[static_cast<size_t>(i) % kHomeWords.size()]);
  const size_t n = static_cast<size_t>(i) / kHomeWords.size();
  return n == 0 ? base + " Care Home" : fmt::format("{} Care Home {}", base, n + 1);
}

int64_t B(bool b) { return b ? 1 : 0; }  // BOOLEAN as bound on both dialects

// One seeding run: the generator state and the writers of every table.
class Seeder {
 public:
  Seeder(db::Connection& conn, const SeedOptions& o, const SeedProgress& progress)
      : conn_(conn),
        o_(o),
        progress_(progress),
        rng_(o.seed),
        today_(o.start.AddDays(30)),
        epoch_(At(o.start, 0) - 365 * kDay),
        now_(At(today_, 8)),
        homes_(conn, "care_home", "id, name, created_at", 3),
        shift_types_(conn, "shift_type", "id, name, start_time, end_time, hours", 5),
        users_(conn, "app_user", "id, username, password_hash, is_staff, home_id, is_active", 6),
        units_(conn, "unit", "id, home_id, name, min_staff_per_shift", 4),
        staff_(conn, "staff",
               "id, user_id, home_id, primary_unit_id, first_name, last_name, role, contracted_hours, active", 9),
        qualified_(conn, "staff_qualified_unit", "staff_id, unit_id", 2),
        certs_(conn, "certification", "id, staff_id, name, expires_on", 4),
        leave_(conn, "leave_request", "id, staff_id, start_date, end_date, status, reason, created_at", 7),
        shifts_(conn, "shift",
                "id, home_id, unit_id, staff_id, shift_type_id, date, created_by, updated_by, created_at, "
                "updated_at",
                10),
        notes_(conn, "shift_note", "id, shift_id, author_id, body, created_at", 5),
        links_(conn, "shift_link", "shift_id, related_shift_id", 2) {}

  // Draws the password salts first, so hashing (slow by design) can run before
  // the transaction opens.
  void HashPasswords() {
    for (int u = 0; u <= o_.homes; ++u) {
      std::array<uint8_t, 16> salt{};
      for (auto& b : salt) b = rng_.Byte();
      hashes_.push_back(HashPasswordWithSalt(o_.password, salt));
    }
  }

  Status Run() {
    for (const auto& h : hashes_)
      if (h.empty()) return Error::Internal("seed: password hashing failed (out of memory?)");
    BuildHomes();
    for (db::TableWriter* t : {&homes_, &shift_types_, &users_, &units_, &staff_, &qualified_, &certs_, &leave_})
      ROTA_TRY(t->Flush());
    ROTA_TRY(BuildShifts());
    ROTA_TRY(notes_.Flush());
    BuildLinks();
    ROTA_TRY(links_.Flush());
    ROTA_TRY(db::ResetIdSequences(conn_));
    return Status::Ok();
  }

  const SeedSummary& summary() const { return summary_; }

 private:
  struct Member {
    int64_t id, home;
    bool active;
    std::vector<int64_t> units;  // qualified, ascending
  };

  int64_t Past(int64_t t) const { return std::min(t, now_); }

  void BuildHomes() {
    for (size_t i = 0; i < kShiftTypes.size(); ++i) {
      const auto& t = kShiftTypes[i];
      shift_types_.Add({int64_t(i + 1), t.name, t.start, t.end, t.hours});
    }
    users_.Add({kAdminUserId, std::string_view("admin"), hashes_[0], int64_t{1}, nullptr, int64_t{1}});
    summary_.users = 1;

    int64_t unit_id = 0, staff_id = 0, cert_id = 0, leave_id = 0;
    constexpr std::array<std::string_view, 3> kFirstStatuses = {"pending", "approved", "rejected"};
    for (int64_t h = 1; h <= o_.homes; ++h) {
      // (each draw its own statement: the order of operands of + is unspecified)
      int64_t created = epoch_ + rng_.Between(0, 199) * kDay;
      created += rng_.Between(8 * 3600, 17 * 3600 - 1);
      homes_.Add({h, HomeName(static_cast<int>(h - 1)), Timestamp(Past(created))});
      users_.Add({h + 1, fmt::format("manager{}", h), hashes_[static_cast<size_t>(h)], int64_t{0}, h, int64_t{1}});
      ++summary_.homes;
      ++summary_.users;

      std::vector<int64_t> units;
      for (size_t n : rng_.Sample(kUnitNames.size(), kUnitsPerHome)) {
        units.push_back(++unit_id);
        units_.Add({unit_id, h, kUnitNames[n], rng_.Chance(1.0 / 3) ? int64_t{2} : int64_t{1}});
        units_of_home_[h].push_back(unit_id);
        home_of_unit_[unit_id] = h;
      }
      summary_.units += kUnitsPerHome;

      for (int i = 0; i < o_.staff_per_home; ++i) {
        Member m{++staff_id, h, !rng_.Chance(0.05), {}};
        const uint64_t r = rng_.Below(10);
        const std::string_view role = r < 2 ? "nurse" : r < 5 ? "senior_carer" : "carer";
        constexpr std::array<double, 3> kNurseHours = {37.5, 37.5, 40.0};
        constexpr std::array<double, 5> kCarerHours = {20.0, 22.5, 30.0, 37.5, 37.5};
        const double hours = role == "nurse" ? rng_.Pick(kNurseHours) : rng_.Pick(kCarerHours);
        const int64_t primary = rng_.Pick(units);
        std::set<int64_t> qualified = {primary};
        for (size_t k : rng_.Sample(units.size(), static_cast<size_t>(rng_.Between(0, 2)))) qualified.insert(units[k]);
        m.units.assign(qualified.begin(), qualified.end());
        staff_.Add(
            {m.id, nullptr, h, primary, rng_.Pick(kFirstNames), rng_.Pick(kLastNames), role, hours, B(m.active)});
        for (int64_t u : m.units) qualified_.Add({m.id, u});

        std::vector<std::string_view> certs;
        for (size_t k : rng_.Sample(kCertNames.size(), static_cast<size_t>(rng_.Between(1, 3))))
          certs.push_back(kCertNames[k]);
        std::sort(certs.begin(), certs.end());
        for (auto name : certs) {
          certs_.Add({++cert_id, m.id, name, today_.AddDays(static_cast<int32_t>(rng_.Between(-60, 730))).ToString()});
        }

        constexpr std::array<int, 6> kLeaveCounts = {0, 0, 1, 1, 1, 2};
        constexpr std::array<int, 6> kLeaveLengths = {0, 1, 2, 4, 6, 13};
        for (int n = rng_.Pick(kLeaveCounts); n > 0; --n) {
          const Date first = o_.start.AddDays(static_cast<int32_t>(rng_.Below(static_cast<uint64_t>(o_.days))));
          const Date last = first.AddDays(rng_.Pick(kLeaveLengths));
          std::string_view status;
          if (leave_id < static_cast<int64_t>(kFirstStatuses.size())) {
            status = kFirstStatuses[static_cast<size_t>(leave_id)];
          } else {
            const uint64_t s = rng_.Below(10);
            status = s < 5 ? "approved" : s < 8 ? "pending" : "rejected";
          }
          int64_t asked = At(first, 10) - rng_.Between(5, 60) * kDay;
          asked -= rng_.Between(0, 479) * 60;
          leave_.Add({++leave_id, m.id, first.ToString(), last.ToString(), status, rng_.Pick(kLeaveReasons),
                      Timestamp(Past(asked))});
          if (status == "approved")
            for (Date d = first; d <= last; d = d.AddDays(1)) on_leave_.insert(LeaveKey(m.id, d));
        }
        members_.push_back(std::move(m));
      }
      summary_.staff += o_.staff_per_home;
    }
    summary_.certifications = cert_id;
    summary_.leave_requests = leave_id;
  }

  static uint64_t LeaveKey(int64_t staff, Date d) {
    return (static_cast<uint64_t>(staff) << 32) | static_cast<uint32_t>(d.days());
  }

  // Active staff of the unit's home qualified for it, ascending id, per unit.
  std::unordered_map<int64_t, std::vector<int64_t>> Pools() const {
    std::unordered_map<int64_t, std::vector<int64_t>> pools;
    for (const auto& m : members_) {
      if (!m.active) continue;
      for (int64_t u : m.units)
        if (home_of_unit_.at(u) == m.home) pools[u].push_back(m.id);
    }
    return pools;
  }

  Status BuildShifts() {
    const auto pools = Pools();
    const int64_t total =
        int64_t{o_.homes} * o_.days * kUnitsPerHome * static_cast<int64_t>(kShiftTypes.size()) * kSlotsPerShiftType;
    // busy_on[staff] = 1 + the day index of their latest shift.
    std::vector<int64_t> busy_on(members_.size() + 1, 0);
    std::vector<int64_t> free;
    int64_t shift_id = 0, note_id = 0;
    if (progress_) progress_(0, total);
    for (int64_t h = 1; h <= o_.homes; ++h) {
      const int64_t manager = h + 1;
      for (int day = 0; day < o_.days; ++day) {
        const Date date = o_.start.AddDays(day);
        const std::string date_text = date.ToString();
        for (int64_t unit : units_of_home_[h]) {
          auto pool_it = pools.find(unit);
          for (int64_t type = 1; type <= static_cast<int64_t>(kShiftTypes.size()); ++type) {
            for (int slot = 0; slot < kSlotsPerShiftType; ++slot) {
              ++shift_id;
              std::optional<int64_t> staff;
              if (rng_.Chance(0.85) && pool_it != pools.end()) {
                free.clear();
                for (int64_t s : pool_it->second)
                  if (busy_on[static_cast<size_t>(s)] != day + 1 && !on_leave_.count(LeaveKey(s, date)))
                    free.push_back(s);
                if (!free.empty()) {
                  staff = rng_.Pick(free);
                  busy_on[static_cast<size_t>(*staff)] = day + 1;
                  staffed_[h].push_back({shift_id, date});
                }
              }
              const int64_t author = rng_.Chance(0.9) ? manager : kAdminUserId;
              int64_t created = At(date, 9) - rng_.Between(14, 42) * kDay;
              created -= rng_.Between(0, 479) * 60;
              int64_t updated = created, editor = author;
              if (rng_.Chance(0.2)) {
                updated = created + rng_.Between(1, 10) * kDay;
                updated += rng_.Between(0, 599) * 60;
                editor = rng_.Chance(0.8) ? manager : kAdminUserId;
              }
              shifts_.Add({shift_id, h, unit, db::Nullable(staff), type, date_text, author, editor,
                           Timestamp(Past(created)), Timestamp(Past(updated))});
              if (staff) ++summary_.staffed_shifts;
              if (rng_.Chance(0.05)) {
                constexpr std::array<int, 4> kNoteCounts = {1, 1, 1, 2};
                for (int n = rng_.Pick(kNoteCounts); n > 0; --n) {
                  const int64_t note_author = rng_.Chance(0.85) ? manager : kAdminUserId;
                  const std::string_view body = rng_.Pick(kNoteBodies);
                  const int64_t at = created + rng_.Between(1, 200) * 3600;
                  notes_.Add({++note_id, shift_id, note_author, body, Timestamp(Past(at))});
                }
              }
              if (shifts_.buffered() >= kShiftFlushRows) {
                ROTA_TRY(shifts_.Flush());
                if (progress_) progress_(shift_id, total);
              }
            }
          }
        }
      }
    }
    ROTA_TRY(shifts_.Flush());
    if (progress_) progress_(shift_id, total);
    summary_.shifts = shift_id;
    summary_.notes = note_id;
    return Status::Ok();
  }

  void BuildLinks() {
    std::set<std::pair<int64_t, int64_t>> links;
    for (const auto& [h, staffed] : staffed_) {  // std::map: ascending home
      if (staffed.empty()) continue;
      const size_t tries = std::max<size_t>(1, staffed.size() / 100);
      for (size_t t = 0; t < tries; ++t) {
        const size_t i = rng_.Below(staffed.size());
        const size_t j = std::min(staffed.size() - 1, i + static_cast<size_t>(rng_.Between(1, 60)));
        const auto& [s1, d1] = staffed[i];
        const auto& [s2, d2] = staffed[j];
        if (s1 != s2 && std::abs(d2 - d1) <= 7) {
          links.insert({s1, s2});
          links.insert({s2, s1});
        }
      }
    }
    for (const auto& [a, b] : links) links_.Add({a, b});
    summary_.links = static_cast<int64_t>(links.size());
  }

  db::Connection& conn_;
  const SeedOptions& o_;
  const SeedProgress& progress_;
  Rng rng_;
  const Date today_;
  const int64_t epoch_, now_;
  std::vector<std::string> hashes_;  // [0] admin, [h] manager h

  db::TableWriter homes_, shift_types_, users_, units_, staff_, qualified_, certs_, leave_, shifts_, notes_, links_;

  std::vector<Member> members_;                            // ascending id
  std::map<int64_t, std::vector<int64_t>> units_of_home_;  // ascending unit id
  std::unordered_map<int64_t, int64_t> home_of_unit_;
  std::unordered_set<uint64_t> on_leave_;                             // LeaveKey of approved leave days
  std::map<int64_t, std::vector<std::pair<int64_t, Date>>> staffed_;  // home -> (shift id, date)
  SeedSummary summary_;
};

Status Validate(const SeedOptions& o) {
  if (o.homes < 1) return Error::Invalid("homes must be at least 1", "homes");
  if (o.staff_per_home < 1) return Error::Invalid("staff per home must be at least 1", "staff_per_home");
  if (o.days < 1) return Error::Invalid("days must be at least 1", "days");
  if (o.homes > 100000 || o.staff_per_home > 100000 || o.days > 3660)
    return Error::Invalid("the requested data set is too large");
  if (o.start < Date::Min().AddDays(400) || o.start.AddDays(o.days + 800) > Date::Max())
    return Error::Invalid("start is too close to the ends of the calendar", "start");
  return Status::Ok();
}

}  // namespace

Result<SeedSummary> Seed(db::Connection& conn, const SeedOptions& options, const SeedProgress& progress) {
  ROTA_TRY(Validate(options));
  if (auto migrated = db::Migrate(conn); !migrated) return migrated.status();
  auto homes = db::CountHomes(conn);
  if (!homes) return homes.status();
  if (*homes > 0) return Error::Conflict("database already has homes; refusing to seed it again");

  Seeder seeder(conn, options, progress);
  seeder.HashPasswords();
  ROTA_TRY(db::InTransaction(conn, [&] { return seeder.Run(); }));
  return seeder.summary();
}

Result<SeedSummary> SeedDatabase(const Config& config, const SeedOptions& options, const SeedProgress& progress) {
  auto conn = ConnectDatabase(config);
  if (!conn) return std::move(conn).error();
  return Seed(**conn, options, progress);
}

}  // namespace rota::service
