"""/tenants: operators create, suspend, reactivate and delete tenants (X-Operator-Key)."""

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from ..api import V1
from ..auth.service import user_for
from ..db import PublicSession
from ..errors import responses
from ..tenancy import forget_tenant, lifecycle
from .accounts import remove_accounts
from .deps import RequireOperator
from .schemas import TenantCreate, TenantRead

router = APIRouter(
    prefix=f"{V1}/tenants",
    tags=["tenants"],
    dependencies=[RequireOperator],
    responses=responses(401, 403, 422, 503),
)


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(409, 413))
async def create_tenant(data: TenantCreate, session: PublicSession, request: Request) -> TenantRead:
    """Create a tenant and its storage; the administrator's account is created if new."""
    admin = await user_for(session, data.admin_email, data.admin_password)
    tenant = await lifecycle.create_tenant(
        session, request.app.state.settings, name=data.name, slug=data.slug, admin_id=admin.id
    )
    return TenantRead.model_validate(tenant)


@router.get("/{tenant_id}", responses=responses(404))
async def read_tenant(tenant_id: UUID, session: PublicSession) -> TenantRead:
    return TenantRead.model_validate(await lifecycle.get_tenant(session, tenant_id))


@router.post("/{tenant_id}/suspend", responses=responses(404))
async def suspend_tenant(tenant_id: UUID, session: PublicSession, request: Request) -> TenantRead:
    """Refuse the tenant's logins and requests with 403 until it is reactivated."""
    tenant = await lifecycle.set_status(session, tenant_id, "suspended")
    await forget_tenant(request.app, tenant_id)
    return TenantRead.model_validate(tenant)


@router.post("/{tenant_id}/reactivate", responses=responses(404))
async def reactivate_tenant(
    tenant_id: UUID, session: PublicSession, request: Request
) -> TenantRead:
    tenant = await lifecycle.set_status(session, tenant_id, "active")
    await forget_tenant(request.app, tenant_id)
    return TenantRead.model_validate(tenant)


@router.delete("/{tenant_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404))
async def delete_tenant(tenant_id: UUID, session: PublicSession, request: Request) -> Response:
    """Delete the tenant and all of its data, its storage included, and the accounts of its
    members who belong to no other tenant."""
    await forget_tenant(request.app, tenant_id)
    left_alone = await lifecycle.delete_tenant(session, request.app.state.settings, tenant_id)
    await remove_accounts(session, left_alone)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
