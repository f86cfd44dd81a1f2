"""URL converters: a primary key the database can hold (a huge number is a 404, not a database error)."""


class PrimaryKeyConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
