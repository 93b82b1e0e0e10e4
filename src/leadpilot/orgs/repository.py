from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error
from leadpilot.orgs.models import ApiKey, User

UserNotFound = not_found_error("User")
ApiKeyNotFound = not_found_error("ApiKey")


class UserRepository(OrgRepository[User]):
    model = User
    not_found = UserNotFound

    def list_all(self) -> list[User]:
        return list(self.session.scalars(self.select().order_by(User.id)))

    def count_active_owners(self) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(User.org_id == self.org_id, User.role == "owner", User.is_active)
            )
            or 0
        )


class ApiKeyRepository(OrgRepository[ApiKey]):
    model = ApiKey
    not_found = ApiKeyNotFound

    def list_all(self) -> list[ApiKey]:
        return list(self.session.scalars(self.select().order_by(ApiKey.id.desc())))


def find_user_by_email(session: Session, email: str) -> User | None:
    """Login is the one read that is not org-scoped: the org is what it establishes."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))
