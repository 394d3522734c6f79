/** What the API accepts as a password: sign-up, password changes and `ADMIN_PASSWORD` alike. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
