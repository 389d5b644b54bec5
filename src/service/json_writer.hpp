// The one way service/ writes JSON: a thin layer over rapidjson's Writer
// (compact output, shortest round-trip doubles, "87.5" and "8.0"), so every
// answer formats numbers and escapes strings the same way.
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Field("id", shift.id);          // one line per field of api.md
//   w.Field("staff", shift.staff);    // nullopt -> null
//   w.EndObject();
//   std::string body = std::move(w).Take();
//
// The domain types of api.md's answers are written by service/model_json.hpp
// with it. Not thread-safe; one writer per answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/date.hpp"

namespace rota::service {

class JsonWriter {
 public:
  JsonWriter() : w_(buf_) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject() { w_.StartObject(); }
  void EndObject() { w_.EndObject(); }
  void BeginArray() { w_.StartArray(); }
  void EndArray() { w_.EndArray(); }
  void Key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

  void Null() { w_.Null(); }
  void Value(bool v) { w_.Bool(v); }
  void Value(int v) { w_.Int(v); }
  void Value(int64_t v) { w_.Int64(v); }
  void Value(double v) { w_.Double(v); }
  void Value(std::string_view s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  void Value(const std::string& s) { Value(std::string_view(s)); }
  void Value(const char* s) { Value(std::string_view(s)); }  // not bool
  void Value(Date d) { Value(d.ToString()); }                // 'YYYY-MM-DD'
  template <class T>
  void Value(const std::optional<T>& v) {
    if (v)
      Value(*v);
    else
      Null();
  }

  template <class T>
  void Field(std::string_view key, const T& value) {
    Key(key);
    Value(value);
  }

  // The document written so far. REQUIRES: every object and array ended.
  std::string Take() && { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace rota::service
