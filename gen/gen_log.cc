// The log generator; see gen_log.h.
#include "gen/gen_log.h"

#include <map>
#include <queue>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "engine/civil_date.h"
#include "engine/fees.h"
#include "engine/json_codec.h"

namespace ogi {
namespace {

// SplitMix64: small, fast and the same on every platform (std distributions are
// not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % (hi - lo + 1));
  }
  bool Chance(double p) {
    return (Next() >> 11) * (1.0 / 9007199254740992.0) < p;
  }
  // Picks an index by weights.
  size_t Pick(std::initializer_list<double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = (Next() >> 11) * (1.0 / 9007199254740992.0) * total;
    size_t i = 0;
    for (double w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return weights.size() - 1;
  }

 private:
  uint64_t state_;
};

constexpr const char* kCategories[] = {
    "NATURAL_PERSON",       "COMMERCIAL_ENTERPRISE",
    "RESEARCH_INSTITUTION", "PUBLIC_WELFARE_ORGANIZATION",
    "LEGAL_SERVICE_AGENCY", "OTHER_ORGANIZATION"};
constexpr const char* kChannels[] = {"ONLINE", "POST", "IN_PERSON", "FAX",
                                     "OTHER"};
constexpr const char* kOutcomes[] = {"DISCLOSED",
                                     "PARTIALLY_DISCLOSED",
                                     "WITHHELD_STATE_SECRET",
                                     "WITHHELD_PROHIBITED_BY_LAW",
                                     "WITHHELD_SECURITY_STABILITY",
                                     "WITHHELD_THIRD_PARTY_RIGHTS",
                                     "WITHHELD_INTERNAL_AFFAIRS",
                                     "WITHHELD_PROCESS_INFORMATION",
                                     "WITHHELD_ENFORCEMENT_FILE",
                                     "WITHHELD_ADMINISTRATIVE_INQUIRY",
                                     "UNAVAILABLE_NOT_HELD",
                                     "UNAVAILABLE_NEEDS_CREATION",
                                     "NOT_PROCESSED_PETITION",
                                     "NOT_PROCESSED_DUPLICATE",
                                     "NOT_PROCESSED_PUBLICATION",
                                     "NOT_PROCESSED_EXCESSIVE",
                                     "NOT_PROCESSED_CONFIRMATION",
                                     "OTHER_HANDLING"};
// Monthly weights: fewer applications around the Spring Festival and in summer.
constexpr double kMonthWeight[] = {0.7, 0.6, 1.1, 1.1, 1.0, 1.0,
                                   0.9, 0.9, 1.0, 0.9, 1.1, 1.2};

struct Scheduled {
  absl::CivilDay on;
  uint64_t seq;  // emission order among events of one day: the order they were
                 // scheduled in
  std::string line;
  bool operator>(const Scheduled& o) const {
    return on != o.on ? on > o.on : seq > o.seq;
  }
};

class Generator {
 public:
  Generator(const GenOptions& options,
            const std::function<void(absl::string_view)>& emit)
      : o_(options), emit_(emit), rng_(options.seed) {
    if (o_.until == absl::CivilDay(0, 1, 1))
      o_.until = absl::CivilDay(o_.last_year, 12, 31) + 120;
  }

  uint64_t Run() {
    RegisterAgencies();
    for (int year = o_.first_year; year <= o_.last_year; ++year) {
      const absl::CivilDay jan1(year, 1, 1);
      const int days = static_cast<int>(absl::CivilDay(year + 1, 1, 1) - jan1);
      double total_weight = 0;
      for (int d = 0; d < days; ++d)
        total_weight += kMonthWeight[(jan1 + d).month() - 1];
      double carry = 0;
      for (int d = 0; d < days; ++d) {
        const absl::CivilDay day = jan1 + d;
        Flush(day - 1);
        carry +=
            o_.cases_per_year * kMonthWeight[day.month() - 1] / total_weight;
        while (carry >= 1) {
          carry -= 1;
          NewCase(day);
        }
        if (day.day() == 28) AgencyMonth(day);
      }
    }
    Flush(o_.until);
    return events_;
  }

 private:
  void Emit(absl::string_view line) {
    emit_(line);
    ++events_;
  }

  void Schedule(absl::CivilDay on, std::string line) {
    queue_.push({on, seq_++, std::move(line)});
  }

  void Flush(absl::CivilDay through) {
    while (!queue_.empty() && queue_.top().on <= through) {
      Emit(queue_.top().line);
      queue_.pop();
    }
  }

  std::string AgencyId(int i) const {
    return i == 0 ? "gov-root" : absl::StrFormat("dept-%03d", i);
  }

  void RegisterAgencies() {
    const std::string day = absl::StrFormat("%04d-01-01", o_.first_year - 1);
    for (int i = 0; i < o_.agencies; ++i) {
      std::string parent;
      if (i > 0) parent = (i > 3 && i % 4 == 0) ? AgencyId(i / 4) : AgencyId(0);
      std::string line = absl::StrCat(
          R"({"eventId":"reg-)", AgencyId(i), R"(","agencyId":")", AgencyId(i),
          R"(","occurredOn":")", day, R"(","agencyRegistered":{"name":)");
      AppendJsonString(
          i == 0 ? "示例市人民政府" : absl::StrFormat("示例市第%d局", i), line);
      if (!parent.empty())
        absl::StrAppend(&line, R"(,"parentId":")", parent, "\"");
      absl::StrAppend(&line, "}}");
      Emit(line);
    }
  }

  // Monthly agency events: decisions, fees, and now and then documents.
  void AgencyMonth(absl::CivilDay day) {
    const std::string on = FormatCivilDay(day);
    for (int i = 0; i < o_.agencies; ++i) {
      const std::string a = AgencyId(i);
      const std::string prefix = absl::StrCat(R"({"eventId":")", a, "-", on);
      const std::string tail = absl::StrCat(R"(","agencyId":")", a,
                                            R"(","occurredOn":")", on, "\",");
      static constexpr const char* kKinds[] = {"LICENSING", "PENALTY",
                                               "ENFORCEMENT"};
      for (const char* kind : kKinds) {
        Emit(absl::StrCat(prefix, "-d-", kind, tail,
                          R"("decisionsRecorded":{"kind":")", kind,
                          R"(","count":)", rng_.Range(0, 400), "}}"));
      }
      Emit(absl::StrCat(prefix, "-fee", tail,
                        R"("feesCollected":{"amountFen":)",
                        rng_.Range(0, 5000000), "}}"));
      if (rng_.Chance(0.3)) {
        const std::string doc = absl::StrCat(a, "-doc-", on);
        const bool regulation = i == 0 && rng_.Chance(0.2);
        Emit(absl::StrCat(
            prefix, "-doc", tail, R"("documentIssued":{"documentId":")", doc,
            R"(","kind":")", regulation ? "REGULATION" : "NORMATIVE_DOCUMENT",
            R"(","title":"示例文件"}})"));
        documents_.push_back({a, doc});
      }
      if (!documents_.empty() && rng_.Chance(0.1)) {
        const size_t k = rng_.Range(0, documents_.size() - 1);
        const auto [owner, doc] = documents_[k];
        documents_.erase(documents_.begin() + k);
        const bool repeal = rng_.Chance(0.6);
        Emit(absl::StrCat(
            R"({"eventId":")", doc, repeal ? "-rep" : "-exp",
            R"(","agencyId":")", owner, R"(","occurredOn":")", on, "\",",
            repeal ? R"("documentRepealed")" : R"("documentExpired")",
            R"(:{"documentId":")", doc, "\"}}"));
      }
    }
  }

  void NewCase(absl::CivilDay day0) {
    const int agency = static_cast<int>(
        rng_.Pick({4, 2, 2, 1, 1, 1, 1, 1, 1, 1}) % o_.agencies);
    const std::string a = AgencyId(agency);
    const std::string id = absl::StrFormat("%s-%d-%06d", a, day0.year(),
                                           ++case_seq_[{agency, day0.year()}]);
    int step = 0;
    auto line = [&](absl::CivilDay on, absl::string_view payload) {
      return absl::StrCat(R"({"eventId":")", id, "-", ++step, R"(","caseId":")",
                          id, R"(","occurredOn":")", FormatCivilDay(on), "\",",
                          payload, "}");
    };
    const size_t category = rng_.Pick({85, 7, 1, 1, 3, 3});
    std::string received = absl::StrCat(
        R"({"eventId":")", id, "-", ++step, R"(","caseId":")", id,
        R"(","agencyId":")", a, R"(","occurredOn":")", FormatCivilDay(day0),
        R"(","received":{"applicant":{"category":")", kCategories[category],
        R"(","name":)");
    AppendJsonString(category == 0
                         ? absl::StrFormat("申请人%d", rng_.Range(1, 200000))
                         : absl::StrFormat("示例公司%d", rng_.Range(1, 20000)),
                     received);
    absl::StrAppend(&received, R"(,"idNumber":")",
                    rng_.Range(100000000000000000, 999999999999999999),
                    R"("},"channel":")",
                    kChannels[rng_.Pick({60, 20, 15, 1, 4})],
                    R"(","description":"申请公开相关政府信息"}})");
    Schedule(day0, std::move(received));

    absl::CivilDay t = day0;
    auto later = [&](int lo, int hi) {
      return t = t + static_cast<int>(rng_.Range(lo, hi));
    };
    auto push = [&](absl::CivilDay on, absl::string_view payload) {
      if (on <= o_.until) Schedule(on, line(on, payload));
      return on <= o_.until;
    };

    if (rng_.Chance(0.08)) {
      const absl::CivilDay asked = later(1, 6);
      if (!push(asked, absl::StrCat(R"("correctionRequested":{"dueOn":")",
                                    FormatCivilDay(asked + 15), "\"}")))
        return;
      if (!rng_.Chance(0.85)) {
        push(later(16, 25), R"("answered":{"outcome":"OTHER_NO_CORRECTION"})");
        return;
      }
      if (!push(later(2, 12), R"("correctionReceived":{})")) return;
    }
    if (rng_.Chance(0.05)) {
      const std::string cid = "K1";
      if (!push(later(1, 6),
                absl::StrCat(R"("consultationStarted":{"consultationId":")",
                             cid, R"(","party":"THIRD_PARTY"})")))
        return;
      if (!push(
              later(5, 20),
              absl::StrCat(R"("consultationEnded":{"consultationId":")", cid,
                           R"(","opinion":")",
                           rng_.Chance(0.5) ? "CONSENT" : "OBJECTION", "\"}")))
        return;
    }
    if (rng_.Chance(0.06)) {
      if (!push(later(10, 25),
                absl::StrCat(R"("extended":{"workingDays":)", rng_.Range(5, 20),
                             R"(,"approvedBy":"办公室主任"})")))
        return;
    }
    if (rng_.Chance(0.03)) {
      // docs/FEES.md: a fee only for a volume past the free 30 pages, at the
      // per-page bands. (Per application, the first 10 of an applicant's
      // month are free, and the generator's applicants rarely return.)
      const int64_t pages = rng_.Range(31, 250);
      const int64_t fen = PerPageFeeFen(pages);
      if (!push(
              later(3, 10),
              absl::StrCat(R"("feeNoticed":{"method":"PER_PAGE","amountFen":)",
                           fen, R"(,"pages":)", pages, "}")))
        return;
      if (!rng_.Chance(0.8)) {
        push(later(30, 40), R"("answered":{"outcome":"OTHER_FEE_UNPAID"})");
        return;
      }
      if (!push(later(2, 15),
                absl::StrCat(R"("feePaid":{"amountFen":)", fen, "}")))
        return;
    }
    if (rng_.Chance(0.7)) {
      if (!push(later(1, 10),
                R"("reviewed":{"reviewer":"审核人","decision":"APPROVED"})"))
        return;
    }
    if (rng_.Chance(0.03)) {
      push(later(1, 10), R"("withdrawn":{})");
      return;
    }
    const size_t outcome = rng_.Pick({40, 10, 0.3, 0.7, 0.5, 1.5, 1.5, 2, 0.5,
                                      0.5, 25, 5, 2, 2, 1, 1, 2, 4.5});
    if (!push(later(1, 20), absl::StrCat(R"("answered":{"outcome":")",
                                         kOutcomes[outcome], "\"}")))
      return;
    if (rng_.Chance(0.01)) {
      // A clerk's correction of the applicant category, weeks later: a
      // partial amendment, so name, channel and items stay as received.
      if (!push(
              later(10, 30),
              absl::StrCat(
                  R"("amended":{"version":1,"reason":"申请人类型录入错误","fields":"applicant.category","received":{"applicant":{"category":")",
                  kCategories[rng_.Pick({50, 10, 5, 5, 15, 15})], R"("}}})")))
        return;
    }
    if (rng_.Chance(0.03)) {
      if (!push(
              later(10, 50),
              R"("appealFiled":{"appealId":"A1","kind":"RECONSIDERATION","body":"示例市人民政府"})"))
        return;
      if (rng_.Chance(0.7)) {
        static constexpr const char* kResults[] = {"UPHELD", "CORRECTED",
                                                   "OTHER"};
        if (!push(later(40, 120),
                  absl::StrCat(R"("appealDecided":{"appealId":"A1","result":")",
                               kResults[rng_.Pick({70, 15, 15})], "\"}")))
          return;
      }
    }
    if (rng_.Chance(0.6))
      push(later(5, 30),
           absl::StrCat(R"("archived":{"archiveRef":"档-)", id, "\"}"));
  }

  GenOptions o_;
  const std::function<void(absl::string_view)>& emit_;
  Rng rng_;
  std::priority_queue<Scheduled, std::vector<Scheduled>,
                      std::greater<Scheduled>>
      queue_;
  uint64_t seq_ = 0;
  uint64_t events_ = 0;
  std::map<std::pair<int, int>, int> case_seq_;
  std::vector<std::pair<std::string, std::string>> documents_;
};

}  // namespace

uint64_t GenerateLog(const GenOptions& options,
                     const std::function<void(absl::string_view)>& emit) {
  return Generator(options, emit).Run();
}

}  // namespace ogi
