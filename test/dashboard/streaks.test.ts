import { streaksOf, utcDay } from "../../src/modules/dashboard/streaks";

describe("streaks", () => {
  it("count UTC calendar days, whatever the offset the time was written with", () => {
    expect(utcDay(new Date("2026-03-03T23:59:59Z"))).toBe("2026-03-03");
    expect(utcDay(new Date("2026-03-04T00:00:00Z"))).toBe("2026-03-04");
    // 20:30 in New York on the 3rd is already the 4th in UTC.
    expect(utcDay(new Date("2026-03-03T20:30:00-05:00"))).toBe("2026-03-04");
  });

  it("join days across midnight, and across month and year ends", () => {
    expect(streaksOf(["2026-03-03", "2026-03-04"], "2026-03-04")).toEqual({ current: 2, longest: 2 });
    expect(streaksOf(["2026-02-28", "2026-03-01"], "2026-03-01")).toEqual({ current: 2, longest: 2 });
    expect(streaksOf(["2025-12-31", "2026-01-01", "2026-01-02"], "2026-01-02")).toEqual({ current: 3, longest: 3 });
  });

  it("keep the current streak alive until a whole UTC day passes without activity", () => {
    const days = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-05", "2026-03-06"];
    expect(streaksOf(days, "2026-03-06")).toEqual({ current: 2, longest: 3 });
    expect(streaksOf(days, "2026-03-07")).toEqual({ current: 2, longest: 3 });
    expect(streaksOf(days, "2026-03-08")).toEqual({ current: 0, longest: 3 });
  });

  it("count repeated days once and start at zero", () => {
    expect(streaksOf(["2026-03-02", "2026-03-02", "2026-03-01"], "2026-03-02")).toEqual({ current: 2, longest: 2 });
    expect(streaksOf([], "2026-03-02")).toEqual({ current: 0, longest: 0 });
  });
});
