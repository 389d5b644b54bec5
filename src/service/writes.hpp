// The write use cases of api.md ("Writes"). Each one:
//   1. parses the JSON body (not JSON / not an object / unknown field -> 400;
//      missing field, wrong type, out of range, bad date -> 422 with `field`),
//   2. checks access (a manager only writes to their home -> 403),
//   3. loads the facts its rules need and applies the domain rules
//      (domain/rules.hpp) inside one transaction (422/409 with `field`),
//   4. commits, then announces the ChangeSet to the sink.
// A rejected write changes nothing. The response body is JSON in the shape the
// corresponding list shows. Shared by the HTTP layer and the command line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.hpp"
#include "db/database.hpp"
#include "service/changes.hpp"
#include "service/principal.hpp"

namespace rota::service {

class WriteService {
 public:
  WriteService(db::Pool& pool, ChangeSink& sink) : pool_(pool), sink_(sink) {}

  Result<std::string> CreateShift(const Principal& p, std::string_view body);                     // 201
  Result<std::string> UpdateShift(const Principal& p, int64_t shift_id, std::string_view body);   // 200
  Status DeleteShift(const Principal& p, int64_t shift_id);                                       // 204
  Result<std::string> AddShiftNote(const Principal& p, int64_t shift_id, std::string_view body);  // 201

  Result<std::string> CreateStaff(const Principal& p, std::string_view body);                    // 201
  Result<std::string> UpdateStaff(const Principal& p, int64_t staff_id, std::string_view body);  // 200
  Status DeleteStaff(const Principal& p, int64_t staff_id);                                      // 204

  Result<std::string> CreateCertification(const Principal& p, std::string_view body);  // 201
  Status DeleteCertification(const Principal& p, int64_t cert_id);                     // 204

  Result<std::string> CreateLeaveRequest(const Principal& p, std::string_view body);                    // 201
  Result<std::string> UpdateLeaveRequest(const Principal& p, int64_t leave_id, std::string_view body);  // 200

  Result<std::string> UpdateHome(const Principal& p, int64_t home_id, std::string_view body);  // 200

 private:
  db::Pool& pool_;
  ChangeSink& sink_;
};

}  // namespace rota::service
