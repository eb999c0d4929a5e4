"""Model instances from hand-written SQL, for the few statements that run on every answer.

A statement selects a model's columns named with a prefix (`select_list`); `Rows` turns each
row back into instances, with the ORM's own converters (SQLite's text timestamps, JSON), so the
objects are the ones the ORM would have loaded. Building the same statements with the ORM cost
more than running them.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Model


def select_list(model: type[Model], table: str, prefix: str = "") -> str:
    """The SELECT list of a model's columns from `table` (an alias), each named prefix + column."""
    return ", ".join(
        f"{table}.{field.column} AS {prefix}{field.column}" for field in model._meta.concrete_fields
    )


@cache
def _reader(model: type[Model], prefix: str, columns: tuple[str, ...]) -> list:
    """Where each field of `model` is in a row, and how to convert it (worked out once)."""
    where = {name: i for i, name in enumerate(columns)}
    plan = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        plan.append((where[prefix + field.column], column, converters))
    return plan


@cache
def _pk_position(model: type[Model]) -> int:
    return model._meta.concrete_fields.index(model._meta.pk)


class Rows:
    """The result of one statement: its column names and rows."""

    def __init__(self, sql: str, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.columns = tuple(column[0] for column in cursor.description)
            self.rows = cursor.fetchall()

    def __len__(self) -> int:
        return len(self.rows)

    def instance(self, model: type[Model], prefix: str = "", row: int = 0) -> Model | None:
        """The `model` in a row, or None if its primary key is NULL (an outer join found none)."""
        values = []
        for i, column, converters in _reader(model, prefix, self.columns):
            value = self.rows[row][i]
            for convert in converters:
                value = convert(value, column, connection)
            values.append(value)
        if values[_pk_position(model)] is None:
            return None
        return model.from_db(connection.alias, None, values)

    def value(self, column: str, row: int = 0):
        """An extra column of a row, as the database driver returned it."""
        return self.rows[row][self.columns.index(column)]
