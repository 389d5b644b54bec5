// The staff page of a home (/homes/{id}/staff/): every member of staff with
// role, contracted hours, units, whether active, certifications (expired and
// expiring ones marked) and upcoming leave; sortable and filtered in the
// browser (staff.js); and the forms that add or edit a member of staff, add a
// certification, request leave, or delete someone after saying which of their
// shifts become vacant.
//
// Its body is one HTML fragment rendered from the domain models (the staff
// list as GET /api/homes/{id}/staff loads it, and the home's units), cached in
// the `template_fragments` alias under the home's generation like the
// dashboard's (home_panel.hpp): a warm page costs no query, and any write to
// the home (a member of staff, a certification, leave, a shift) invalidates it.
// A miss costs five statements: the home with its units (1), the staff list (4).
//
// What a delete would leave vacant (the member's assigned shifts from today
// on) is a second, small fragment per member, fetched when the confirmation
// opens and cached the same way (five statements on a miss: the staff list,
// which tells whether the member is of this home, and the home's assigned
// shifts from today). Listing every
// member's shifts in the page itself would make it several times larger, and
// slower to serve, for a question asked once in a while.
//
// The fragments hold nothing about the viewer; callers check access first. The
// forms carry no data of their own: staff.js fills them from the page's JSON
// block (#staff-data), and every write goes through the JSON API with the
// page's CSRF token, so the API's rules and messages are the page's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/model.hpp"
#include "http/message.hpp"
#include "service/app.hpp"
#include "service/auth.hpp"

namespace rota::web {

// What the staff page shows, as the reads load it.
struct StaffPageReads {
  domain::HomeUnits home;                  // the home and its units
  std::vector<domain::StaffMember> staff;  // the staff list, by id
};

// Loads the page's reads of `home` (five statements); not_found for an unknown home.
Result<StaffPageReads> LoadStaffPageReads(service::ReadService& reads, int64_t home);

// Pure rendering: no I/O (web/staff_page_test.cpp renders structs without a
// server). Rows are ordered by name, then id.
std::string RenderStaffPanel(int64_t home, Date today, const StaffPageReads& reads);

// The cached fragment: from the cache when its generation is current, else
// rendered from LoadStaffPageReads and stored. `bypass` skips every cache.
Result<service::CachedAnswer> StaffPanel(service::App& app, int64_t home, bool bypass);

// What deleting `member` would leave vacant (`shifts`: theirs, by date), as
// the confirmation shows it: a summary line (#delete-summary) and the list
// (#delete-shifts). Pure.
std::string RenderVacatedShifts(const domain::StaffMember& member, const std::vector<domain::AssignedShift>& shifts);

// The cached fragment of RenderVacatedShifts for member `staff` of `home`, from today on.
Result<service::CachedAnswer> VacatedShifts(service::App& app, int64_t home, int64_t staff, bool bypass);

// GET /homes/{id}/staff/ for a logged-in caller: the page, or a 403 page for
// someone who may not see the home.
http::Response StaffPage(service::App& app, const http::Request& req, const service::SessionPrincipal& caller);
// GET /homes/{id}/staff/panel: the fragment alone, which staff.js fetches after
// a write; answers like the API (401/403/404 JSON). ?nocache=1 bypasses the cache.
http::Response StaffPanelFragment(service::App& app, const http::Request& req);
// GET /homes/{id}/staff/{staff_id}/vacated: RenderVacatedShifts's fragment,
// answering like the API (401/403, 404 for a member of staff not of that home).
http::Response VacatedShiftsFragment(service::App& app, const http::Request& req);

}  // namespace rota::web
