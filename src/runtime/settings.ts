// The use cases' settings, read from the parsed environment (the same on every runtime).
import type { Settings } from '../app/ports.js';
import type { Config } from '../config.js';

export function settingsFrom(config: Config): Settings {
  return {
    timezone: config.TIMEZONE,
    photoWindowMinutes: config.PHOTO_WINDOW_MINUTES,
    dueSoonWorkingDays: config.DUE_SOON_WORKING_DAYS,
    redAfterWorkingDays: config.RED_AFTER_WORKING_DAYS,
    repeatMinCount: config.REPEAT_MIN_COUNT,
    repeatWindowDays: config.REPEAT_WINDOW_DAYS,
    jobHour: config.JOB_HOUR,
  };
}
