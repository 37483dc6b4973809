// Package workday is the working-day calendar (工作日) for the deadlines of
// the Regulations on the Disclosure of Government Information (《中华人民共和国
// 政府信息公开条例》, State Council Decree 711):
//
//   - Art. 30: a supplement (补正) must be requested within 7 working days of
//     receipt;
//   - Art. 31: the receipt date depends on the channel; an application that
//     arrives on a rest day is commonly treated as received on the next working
//     day (Calendar.OnOrAfter);
//   - Art. 33: the reply is due within 20 working days of receipt, extendable
//     once by at most 20 working days.
//
// Periods start the day after the receipt date and count working days only
// (Calendar.AddWorkingDays). A working day is Monday–Friday unless declared a
// rest day, or a Saturday/Sunday declared a working day (调休上班). There is
// no formula: the State Council announces each year's schedule. The national
// schedules come from github.com/6tail/lunar-go (HolidayUtil); operators add
// or replace years with YearSchedule and cities add local rest days with
// Override. A date in a year without a schedule is an error, never computed
// as plain Monday–Friday.
//
// The package is pure: no I/O, no clock; a Calendar is immutable and safe for
// concurrent use.
package workday
